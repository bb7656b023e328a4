package dev.finch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  private static final Path FILE = Path.of("/cfg/finch.yaml");
  private final ConfigLoader mac = new ConfigLoader(TestHosts.of(HostOs.MACOS));

  @Test
  void missingFileGivesFinchDefaults(@TempDir Path dir) throws Exception {
    LoadedConfig c = mac.load(dir.resolve("finch.yaml"));
    assertThat(c.exists()).isFalse();
    // every key named, so this pins Finch's defaults rather than the builder's
    assertThat(c.config())
        .isEqualTo(
            FinchConfig.builder()
                .cpus(4)
                .memory("8GiB")
                .vmType("vz")
                .rosetta(false)
                .snapshotters(List.of())
                .additionalDirectories(List.of())
                .credsHelpers(List.of("osxkeychain"))
                .dockercompat(false)
                .autoVmStart(true)
                .bootdisk("100GiB")
                .datadisk("50GiB")
                .mountInotify(false)
                .vmnet(false)
                .build());
    assertThat(c.config().defaultSnapshotter()).isEqualTo("overlayfs");
  }

  @Test
  void readsEveryKey(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("finch.yaml");
    Files.writeString(
        f,
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
        bootdisk: 120GiB
        datadisk: 80GiB
        experimental:
          mountInotify: true
        vmnet: true
        unknownKey: ignored
        """);
    LoadedConfig c = mac.load(f);
    assertThat(c.config())
        .isEqualTo(
            FinchConfig.builder()
                .cpus(6)
                .memory("12GiB")
                .vmType("qemu")
                .snapshotters(List.of("soci", "overlayfs"))
                .additionalDirectories(List.of("/Volumes/data"))
                .credsHelpers(List.of("ecr-login"))
                .dockercompat(true)
                .autoVmStart(false)
                .bootdisk("120GiB")
                .datadisk("80GiB")
                .mountInotify(true)
                .vmnet(true)
                .build());
    assertThat(c.config().defaultSnapshotter()).isEqualTo("soci");
    assertThat(c.lines()).containsEntry("snapshotters[1]", 7).containsEntry("cpus", 1);
  }

  @Test
  void emptyFileAndNullValuesUseDefaults() throws Exception {
    assertThat(mac.parse(FILE, "").config().cpus()).isEqualTo(4);
    assertThat(mac.parse(FILE, "cpus:\nmemory: ~\n").config().memory()).hasToString("8GiB");
  }

  @Test
  void sizesKeepTheirTextForTheVm() throws Exception {
    FinchConfig c = mac.parse(FILE, "memory: 4gb\ndatadisk: 60G\n").config();
    assertThat(c.memory().bytes()).isEqualTo(4L << 30);
    assertThat(c.memory()).hasToString("4gb");
    assertThat(c.datadisk()).hasToString("60G");
    assertThat(c.bootdisk()).hasToString("100GiB");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      unknown snapshotter | 'cpus: 2\\nsnapshotters:\\n  - soci\\n  - zfs\\n' | /cfg/finch.yaml:4: snapshotters[1]: snapshotter "zfs" is not supported; accepted: overlayfs, soci
      memory lots         | 'cpus: 2\\nmemory: lots\\n'                   | /cfg/finch.yaml:2: memory: "lots" is not a memory size; accepted: a size greater than 0 such as 4GiB or 512MiB
      memory zero         | 'cpus: 2\\nmemory: 0GiB\\n'                   | /cfg/finch.yaml:2: memory: "0GiB" is not a memory size; accepted: a size greater than 0 such as 4GiB or 512MiB
      bootdisk text       | 'bootdisk: big\\n'                          | /cfg/finch.yaml:1: bootdisk: "big" is not a disk size above 10GiB; accepted: a size greater than 10GiB such as 50GiB
      cpus zero           | 'cpus: 0\\n'                                  | /cfg/finch.yaml:1: cpus: specified number of CPUs (0) must be greater than 0; accepted: a whole number from 1 to the host's CPUs
      cpus text           | 'cpus: four\\n'                               | /cfg/finch.yaml:1: cpus: "four" is not a whole number; accepted: a whole number such as 4
      wsl2 on macOS       | 'memory: 4GiB\\nvmType: wsl2\\n'              | /cfg/finch.yaml:2: vmType: unsupported vm type "wsl2" for macOS; accepted: vz, qemu
      broken YAML         | 'cpus: 2\\nmemory: [4GiB\\nrosetta: true\\n'  | /cfg/finch.yaml:3: rosetta: invalid YAML
      small datadisk      | 'datadisk: 5GiB\\n'                           | /cfg/finch.yaml:1: datadisk: "5GiB" is not a disk size above 10GiB; accepted: a size greater than 10GiB such as 50GiB
      bad boolean         | 'dockercompat: maybe\\n'                      | /cfg/finch.yaml:1: dockercompat: "maybe" is not a boolean; accepted: true or false
      scalar list         | 'snapshotters: soci\\n'                       | /cfg/finch.yaml:1: snapshotters: expected a list; accepted: a list such as [soci, overlayfs]
      duplicate key       | 'cpus: 2\\ncpus: 3\\n'                        | /cfg/finch.yaml:2: cpus: the key appears twice (first on line 1); accepted: each key once
      not a mapping       | '- a\\n- b\\n'                                | /cfg/finch.yaml:1: the file is not a mapping
      """)
  void badConfigNamesFileLineAndKey(String name, String yaml, String expected) {
    assertThatThrownBy(() -> mac.parse(FILE, yaml.replace("\\n", "\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("failed to load config: " + expected)
        .hasMessageNotContaining("\n");
  }

  @Test
  void windowsAcceptsOnlyWsl2AndLinuxIgnoresVmType() throws Exception {
    ConfigLoader win = new ConfigLoader(TestHosts.of(HostOs.WINDOWS));
    assertThat(win.parse(FILE, "").config().vmType()).contains("wsl2");
    assertThatThrownBy(() -> win.parse(FILE, "vmType: vz\n"))
        .hasMessageContaining("unsupported vm type \"vz\" for Windows; accepted: wsl2");
    ConfigLoader linux = new ConfigLoader(TestHosts.of(HostOs.LINUX));
    assertThat(linux.parse(FILE, "vmType: vz\n").config().vmType()).contains("vz");
    assertThat(linux.parse(FILE, "vmType: qemu\n").config().vmType()).contains("qemu");
    assertThat(linux.parse(FILE, "").config().vmType()).isEmpty();
  }

  @Test
  void unreadableFileOnLinuxFallsBackToDefaultsWithFinchsWarning() throws Exception {
    LoadedConfig c =
        new ConfigLoader(TestHosts.of(HostOs.LINUX))
            .unreadable(FILE, new java.nio.file.AccessDeniedException(FILE.toString()));
    assertThat(c.config().cpus()).isEqualTo(4);
    assertThat(c.warnings())
        .containsExactly(
            "Failed to load config, using default values. You may need to be root or use sudo.");
    assertThatThrownBy(() -> mac.unreadable(FILE, new java.nio.file.AccessDeniedException("x")))
        .hasMessage(
            "failed to load config: /cfg/finch.yaml: cannot read the file (x); "
                + "accepted: a readable YAML file");
  }

  @Test
  void finchDirOverridesLocation() {
    HostFacts h =
        new HostFacts(
            HostOs.LINUX,
            "x86_64",
            2,
            1L << 30,
            0,
            Path.of("/root"),
            java.util.Map.of("FINCH_DIR", "/tmp/fd"));
    assertThat(ConfigLocation.configFile(h)).isEqualTo(Path.of("/tmp/fd/finch.yaml"));
    assertThat(ConfigLocation.configFile(TestHosts.of(HostOs.LINUX)))
        .isEqualTo(Path.of("/etc/finch/finch.yaml"));
    assertThat(ConfigLocation.configFile(TestHosts.of(HostOs.MACOS)))
        .isEqualTo(Path.of("/home/user/.finch/finch.yaml"));
  }

  @Test
  void aUnicodeEscapeCutOffAtTheEndIsInvalidYaml() {
    // found by FinchYamlFuzzTest; was: NumberFormatException out of snakeyaml's scanner
    assertThatThrownBy(() -> mac.parse(FILE, "s: \"\\u"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("failed to load config: /cfg/finch.yaml: invalid YAML (the parser")
        .message()
        .doesNotContain("\n");
  }
}
