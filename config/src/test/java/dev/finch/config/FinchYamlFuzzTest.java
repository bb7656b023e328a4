package dev.finch.config;

import dev.finch.testkit.fuzz.FuzzTarget;
import dev.finch.testkit.fuzz.Fuzzer;
import dev.finch.testkit.fuzz.RandomText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * finch.yaml, fuzzed for {@code -Dfuzz.seconds} (see {@link Fuzzer}): every file gives a config or
 * a one-line {@link ConfigException}, for each host OS's defaults and validation.
 */
class FinchYamlFuzzTest {
  private static final Path FILE = Path.of("/etc/finch/finch.yaml");
  private static final List<String> KEYS =
      List.of(
          "cpus",
          "memory",
          "vmType",
          "rosetta",
          "snapshotters",
          "additional_directories",
          "creds_helpers",
          "dockercompat",
          "auto_vm_start",
          "bootdisk",
          "datadisk",
          "experimental",
          "vmnet",
          "unknown_key");
  private static final List<String> VALUES =
      List.of("vz", "qemu", "wsl2", "soci", "overlayfs", "ecr-login", "/Volumes/data", "");

  @Test
  void everyFileGivesAConfigOrAOneLineError() {
    List<ConfigLoader> loaders =
        List.of(
            new ConfigLoader(TestHosts.of(HostOs.LINUX)),
            new ConfigLoader(TestHosts.of(HostOs.MACOS)),
            new ConfigLoader(TestHosts.of(HostOs.WINDOWS)));
    FuzzTarget target =
        FuzzTarget.builder(
                "finch-yaml",
                in -> {
                  ConfigLoader loader = loaders.get((in.length & 0x7fffffff) % loaders.size());
                  loader.parse(FILE, new String(in, StandardCharsets.UTF_8));
                })
            .seed(
                """
                cpus: 6
                memory: 12GiB
                vmType: qemu
                rosetta: false
                snapshotters:
                  - soci
                  - overlayfs
                additional_directories:
                  - path: /Volumes/data
                creds_helpers: [ecr-login]
                dockercompat: true
                auto_vm_start: false
                bootdisk: 100GiB
                datadisk: 50GiB
                experimental:
                  mountInotify: true
                vmnet: false
                """)
            .seed("vmType: qemu\nsnapshotters: [soci]\ncpus: 2\nmemory: 2GiB\n")
            .seed("# only a comment\n")
            .typed(ConfigException.class)
            .generator(FinchYamlFuzzTest::randomYaml)
            .dictionary(
                ": ", "\n", "- ", "  ", "[", "]", "{", "}", "&a ", "*a", "!!", "? ", "---", "|")
            .maxInputSize(32 << 10)
            .build();
    Fuzzer.assertNoFindings(Fuzzer.run(target));
  }

  private static byte[] randomYaml(Random r) {
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(6);
    for (int i = 0; i < n; i++) {
      String key = RandomText.pick(r, KEYS);
      b.append(key).append(':');
      switch (r.nextInt(4)) {
        case 0 -> {
          b.append('\n');
          int items = r.nextInt(3);
          for (int k = 0; k < items; k++) {
            b.append(r.nextBoolean() ? "  - path: " : "  - ")
                .append(RandomText.yamlScalar(r, VALUES))
                .append('\n');
          }
        }
        case 1 ->
            b.append(" {mountInotify: ").append(RandomText.yamlScalar(r, VALUES)).append("}\n");
        default -> b.append(' ').append(RandomText.yamlScalar(r, VALUES)).append('\n');
      }
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
