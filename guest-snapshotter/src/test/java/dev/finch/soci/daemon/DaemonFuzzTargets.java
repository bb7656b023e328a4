package dev.finch.soci.daemon;

import static dev.finch.testkit.fuzz.FuzzInputs.read;
import static dev.finch.testkit.fuzz.FuzzInputs.use;

import dev.finch.testkit.fuzz.FuzzTarget;
import dev.finch.testkit.fuzz.RandomText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Fuzz target for the daemon's {@code config.toml}. */
public final class DaemonFuzzTargets {
  private static final List<String> TABLES =
      List.of(
          "",
          "pull_modes",
          "pull_modes.soci_v1",
          "pull_modes.soci_v2",
          "blob",
          "background_fetch",
          "snapshotter",
          "content_store",
          "resolver.host.\"r.example:5000\"",
          "cache",
          "prefetch",
          "fuse",
          "http");
  private static final List<String> KEYS =
      List.of(
          "metrics_address",
          "metrics_network",
          "no_prometheus",
          "mount_timeout_sec",
          "enable",
          "fetching_timeout_sec",
          "max_retries",
          "disable",
          "fetch_period_msec",
          "silence_period_msec",
          "max_queue_size",
          "allow_invalid_mounts_on_restart",
          "containerd_address",
          "max_bytes",
          "mirrors",
          "host",
          "insecure",
          "request_timeout_sec",
          "debug_address",
          "\"quoted key\"",
          "a.b");

  private DaemonFuzzTargets() {}

  public static List<FuzzTarget> all() {
    return List.of(configToml());
  }

  static FuzzTarget configToml() {
    return FuzzTarget.builder(
            "config-toml",
            in -> {
              DaemonConfig c =
                  DaemonConfigLoader.parse(
                      "config.toml", new String(in, StandardCharsets.UTF_8), w -> {});
              // what the daemon does with it next: `config dump` writes it back
              use(DaemonConfigWriter.render(c));
            })
        .seed(read(Path.of("../installers/guest/config.toml")))
        .seed(
            "[resolver.host.\"127.0.0.1:5000\"]\n"
                + "  mirrors = [{host = \"127.0.0.1:5000\", insecure = true}]\n"
                + "[[resolver.host.\"r.example\".mirrors]]\nhost = \"m\"\nrequest_timeout_sec = 3\n")
        .seed("debug_address = \"127.0.0.1:6060\"\n[fuse]\nattr_timeout = 1\n")
        .typed(DaemonConfigException.class)
        .generator(DaemonFuzzTargets::randomToml)
        .dictionary(
            "[", "]", "[[", "]]", " = ", "\"", "'", "{", "}", ",", "\n", "#", ".", "\"\"\"", "true")
        .maxInputSize(32 << 10)
        .build();
  }

  private static byte[] randomToml(Random r) {
    StringBuilder b = new StringBuilder();
    int tables = 1 + r.nextInt(4);
    for (int t = 0; t < tables; t++) {
      String table = RandomText.pick(r, TABLES);
      if (!table.isEmpty()) {
        b.append(r.nextInt(4) == 0 ? "[[" + table + "]]" : "[" + table + "]").append('\n');
      }
      int keys = r.nextInt(5);
      for (int k = 0; k < keys; k++) {
        b.append(RandomText.pick(r, KEYS))
            .append(" = ")
            .append(RandomText.tomlValue(r, List.of("tcp", "unix", "127.0.0.1:5000"), 2))
            .append('\n');
      }
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
