package dev.finch.testkit;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the {@code config.toml} (version 2, containerd 1.6/1.7) for a private containerd: everything
 * under one directory, CRI disabled unless asked for, optional proxy snapshotter plugins.
 *
 * @param criToml body of {@code [plugins."io.containerd.grpc.v1.cri"]}, or null to disable CRI
 * @param proxySnapshotters proxy snapshotter name to its gRPC socket
 * @param extraToml appended verbatim (more tables)
 */
record ContainerdConfig(Path dir, String criToml, Map<String, Path> proxySnapshotters, String extraToml) {
  static final String CRI_PLUGIN = "io.containerd.grpc.v1.cri";

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

  String render() {
    StringBuilder t = new StringBuilder();
    t.append("version = 2\n");
    t.append("root = ").append(q(root())).append('\n');
    t.append("state = ").append(q(state())).append('\n');
    t.append("disabled_plugins = [").append(criToml == null ? q(CRI_PLUGIN) : "").append("]\n\n");
    t.append("[grpc]\n  address = ").append(q(socket())).append("\n\n");
    t.append("[ttrpc]\n  address = ").append(q(dir.resolve("containerd.sock.ttrpc"))).append("\n\n");
    t.append("[debug]\n  address = ").append(q(dir.resolve("debug.sock"))).append("\n  level = \"debug\"\n\n");
    t.append("[plugins]\n");
    t.append("  [plugins.\"io.containerd.internal.v1.opt\"]\n    path = ").append(q(dir.resolve("opt"))).append('\n');
    if (criToml != null) {
      t.append("  [plugins.\"").append(CRI_PLUGIN).append("\"]\n").append(criToml.strip()).append('\n');
    }
    if (!proxySnapshotters.isEmpty()) {
      t.append("\n[proxy_plugins]\n");
      proxySnapshotters.forEach(
          (name, sock) ->
              t.append("  [proxy_plugins.").append(q(name)).append("]\n")
                  .append("    type = \"snapshot\"\n")
                  .append("    address = ").append(q(sock)).append('\n'));
    }
    if (extraToml != null && !extraToml.isBlank()) {
      t.append('\n').append(extraToml.strip()).append('\n');
    }
    return t.toString();
  }

  private static String q(Object s) {
    return "\"" + s.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
