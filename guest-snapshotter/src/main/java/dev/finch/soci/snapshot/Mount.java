package dev.finch.soci.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * One mount(2) call the caller (containerd, the shim) must perform to materialise a snapshot, in
 * containerd's {@code mount.Mount} shape.
 *
 * <p>The snapshotter never mounts containers' filesystems itself; it only computes these so that
 * the runtime can mount them inside its own mount namespace.
 *
 * @param type filesystem type, {@code bind} or {@code overlay}
 * @param source mount source (a directory for bind, the literal {@code overlay} for overlay)
 * @param options mount options in containerd's order, e.g. {@code [ro, rbind]} or {@code
 *     [workdir=…, upperdir=…, lowerdir=…]}
 */
public record Mount(String type, String source, List<String> options) {
  public Mount {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(source, "source");
    options = List.copyOf(options);
  }
}
