package dev.finch.testkit;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the {@code config.toml} for a private containerd of one {@link ContainerdDist}:
 * everything under one directory, CRI disabled unless asked for, optional proxy snapshotter
 * plugins. containerd 1.6 and 1.7 read config version 2, with CRI as the one plugin {@code
 * io.containerd.grpc.v1.cri}; 2.x reads version 3, where CRI is split into {@code
 * io.containerd.cri.v1.images} (snapshotter, annotations, registry) and {@code
 * io.containerd.cri.v1.runtime}, with the gRPC server left in {@code io.containerd.grpc.v1.cri}.
 * Registry hosts use {@code config_path} (hosts.toml), which all three read.
 *
 * @param cri the CRI settings, or null to disable CRI
 * @param proxySnapshotters proxy snapshotter name to its gRPC socket
 * @param extraToml appended verbatim (more tables)
 */
record ContainerdConfig(
    Path dir,
    int version,
    ContainerdFixture.Cri cri,
    Map<String, Path> proxySnapshotters,
    String extraToml) {
  static final String CRI_GRPC = "io.containerd.grpc.v1.cri";
  static final String CRI_IMAGES = "io.containerd.cri.v1.images";
  static final String CRI_RUNTIME = "io.containerd.cri.v1.runtime";

  ContainerdConfig {
    proxySnapshotters = new TreeMap<>(proxySnapshotters);
  }

  Path root() {
    return dir.resolve("root");
  }

  Path state() {
    return dir.resolve("state");
  }

  Path socket() {
    return dir.resolve("containerd.sock");
  }

  /** The hosts.toml tree for CRI's registry {@code config_path}. */
  Path certsDir() {
    return dir.resolve("certs.d");
  }

  /** {@code certs.d/HOST/hosts.toml} for each plain-http registry of the CRI settings. */
  Map<Path, String> hostFiles() {
    Map<Path, String> files = new TreeMap<>();
    if (cri != null) {
      for (String host : cri.plainHttpRegistries()) {
        files.put(
            certsDir().resolve(host).resolve("hosts.toml"),
            "server = "
                + q("http://" + host)
                + "\n\n[host."
                + q("http://" + host)
                + "]\n"
                + "  capabilities = [\"pull\", \"resolve\"]\n");
      }
    }
    return files;
  }

  String render() {
    StringBuilder t = new StringBuilder();
    t.append("version = ").append(version).append('\n');
    t.append("root = ").append(q(root())).append('\n');
    t.append("state = ").append(q(state())).append('\n');
    List<String> disabled =
        cri != null
            ? List.of()
            : version >= 3 ? List.of(CRI_GRPC, CRI_IMAGES, CRI_RUNTIME) : List.of(CRI_GRPC);
    t.append("disabled_plugins = [")
        .append(String.join(", ", disabled.stream().map(ContainerdConfig::q).toList()))
        .append("]\n\n");
    t.append("[grpc]\n  address = ").append(q(socket())).append("\n\n");
    t.append("[ttrpc]\n  address = ")
        .append(q(dir.resolve("containerd.sock.ttrpc")))
        .append("\n\n");
    t.append("[debug]\n  address = ")
        .append(q(dir.resolve("debug.sock")))
        .append("\n  level = \"debug\"\n\n");
    t.append("[plugins]\n");
    if (version < 3) {
      t.append("  [plugins.\"io.containerd.internal.v1.opt\"]\n    path = ")
          .append(q(dir.resolve("opt")))
          .append('\n');
    }
    if (cri != null) {
      // 1.x: one CRI plugin, snapshotter under its "containerd" table; 2.x: the images plugin.
      String imageTable = version >= 3 ? q(CRI_IMAGES) : q(CRI_GRPC);
      String snapshotterTable = version >= 3 ? imageTable : imageTable + ".containerd";
      t.append("  [plugins.").append(q(CRI_GRPC)).append("]\n    disable_tcp_service = true\n");
      t.append("  [plugins.").append(snapshotterTable).append("]\n");
      t.append("    snapshotter = ").append(q(cri.snapshotter())).append('\n');
      t.append("    disable_snapshot_annotations = false\n");
      t.append("  [plugins.").append(imageTable).append(".registry]\n");
      t.append("    config_path = ").append(q(certsDir())).append('\n');
    }
    if (version >= 3 && !proxySnapshotters.isEmpty()) {
      // 2.x: `ctr images pull` goes through the transfer service, which unpacks only for the
      // snapshotters listed here (its default lists overlayfs alone: "no unpack platforms
      // defined").
      String platform = "linux/" + goArch();
      String table = "plugins." + q("io.containerd.transfer.v1.local");
      t.append("  [").append(table).append("]\n");
      for (String sn : concat("overlayfs", proxySnapshotters.keySet())) {
        t.append("    [[")
            .append(table)
            .append(".unpack_config]]\n")
            .append("      platform = ")
            .append(q(platform))
            .append('\n')
            .append("      snapshotter = ")
            .append(q(sn))
            .append('\n');
      }
    }
    if (!proxySnapshotters.isEmpty()) {
      t.append("\n[proxy_plugins]\n");
      proxySnapshotters.forEach(
          (name, sock) ->
              t.append("  [proxy_plugins.")
                  .append(q(name))
                  .append("]\n")
                  .append("    type = \"snapshot\"\n")
                  .append("    address = ")
                  .append(q(sock))
                  .append('\n'));
    }
    if (extraToml != null && !extraToml.isBlank()) {
      t.append('\n').append(extraToml.strip()).append('\n');
    }
    return t.toString();
  }

  private static List<String> concat(String first, java.util.Collection<String> rest) {
    List<String> all = new java.util.ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }

  /** The GOARCH name of this JVM's architecture, as containerd names platforms. */
  static String goArch() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> System.getProperty("os.arch");
    };
  }

  private static String q(Object s) {
    return "\"" + s.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
