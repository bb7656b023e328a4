package dev.finch.soci.containerd;

import java.util.List;

/**
 * One mount(2) call as containerd describes it: what a snapshotter returns from Prepare/View/Mounts
 * and what the diff service applies a layer onto.
 *
 * <pre>
 * {type: "overlay", source: "overlay", options: ["workdir=...", "upperdir=...", "lowerdir=a:b"]}
 * </pre>
 *
 * @param target empty for snapshot mounts (the caller picks the mount point)
 */
public record ContainerdMount(String type, String source, String target, List<String> options) {
  public ContainerdMount {
    target = target == null ? "" : target;
    options = options == null ? List.of() : List.copyOf(options);
  }

  public static ContainerdMount of(String type, String source, List<String> options) {
    return new ContainerdMount(type, source, "", options);
  }
}
