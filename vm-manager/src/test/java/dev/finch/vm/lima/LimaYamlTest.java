package dev.finch.vm.lima;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.config.FinchConfig;
import dev.finch.config.HostFacts;
import dev.finch.config.HostOs;
import dev.finch.vm.InstallLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The generated Lima YAML parsed back and checked against the keys Lima's template ({@code
 * templates/default.yaml} in lima-vm/lima) documents, plus the values finch.yaml drives.
 */
class LimaYamlTest {
  /** Top-level keys documented by Lima's default template. */
  static final Set<String> LIMA_KEYS =
      Set.of(
          "vmType",
          "arch",
          "images",
          "cpus",
          "memory",
          "disk",
          "mounts",
          "mountTypesUnsupported",
          "mountType",
          "mountInotify",
          "additionalDisks",
          "ssh",
          "caCerts",
          "upgradePackages",
          "containerd",
          "provision",
          "probes",
          "minimumLimaVersion",
          "vmOpts",
          "os",
          "cpuType",
          "rosetta",
          "timezone",
          "firmware",
          "audio",
          "video",
          "networks",
          "portForwards",
          "copyToHost",
          "message",
          "env",
          "param",
          "propagateProxyEnv",
          "hostResolver",
          "dns",
          "guestInstallPrefix",
          "plain",
          "nestedVirtualization",
          "user",
          "base");

  static final Set<String> MOUNT_KEYS =
      Set.of("location", "mountPoint", "writable", "sshfs", "9p", "virtiofs");
  static final Set<String> PROVISION_MODES =
      Set.of("system", "user", "boot", "dependency", "ansible");

  static final HostFacts MAC =
      new HostFacts(HostOs.MACOS, "aarch64", 8, 16L << 30, 15, Path.of("/Users/me"), Map.of());
  static final FinchConfig CONFIG =
      FinchConfig.builder()
          .cpus(6)
          .memory("12GiB")
          .vmType("vz")
          .rosetta(true)
          .snapshotters(List.of("soci", "overlayfs"))
          .additionalDirectories(List.of("/Volumes/data"))
          .bootdisk("120GiB")
          .datadisk("80GiB")
          .mountInotify(true)
          .vmnet(true)
          .build();

  @SuppressWarnings("unchecked")
  static Map<String, Object> parse(String yaml) {
    Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    assertThat(o).isInstanceOf(Map.class);
    Map<String, Object> m = (Map<String, Object>) o;
    assertThat(LIMA_KEYS).containsAll(m.keySet());
    return m;
  }

  @Test
  @SuppressWarnings("unchecked")
  void templateUsesOnlyDocumentedKeys() {
    Map<String, Object> t =
        parse(
            LimaYaml.template(
                CONFIG, MAC, new InstallLayout(Path.of("/Applications/Finch")).guestImageDir()));
    List<Map<String, Object>> images = (List<Map<String, Object>>) t.get("images");
    assertThat(images).extracting(i -> i.get("arch")).containsExactly("x86_64");
    assertThat(images)
        .allSatisfy(
            i ->
                assertThat(Set.of("location", "arch", "digest", "kernel", "initrd"))
                    .containsAll(i.keySet()));
    // the image make guest-image builds, with its kernel and initrd (Lima's kernel/initrd image
    // keys)
    assertThat(images.getFirst())
        .containsEntry("location", "/Applications/Finch/os/guest-image/disk.raw")
        .containsEntry(
            "kernel",
            Map.of(
                "location",
                "/Applications/Finch/os/guest-image/vmlinuz",
                "cmdline",
                "root=/dev/vda rw console=ttyS0"))
        .containsEntry(
            "initrd", Map.of("location", "/Applications/Finch/os/guest-image/initrd.img"));
    assertThat(t.get("containerd")).isEqualTo(Map.of("system", false, "user", false));
    assertThat((List<Map<String, Object>>) t.get("mounts"))
        .allSatisfy(m -> assertThat(MOUNT_KEYS).containsAll(m.keySet()));
    assertThat(
            Set.of(
                "localPort",
                "loadDotSSHPubKeys",
                "forwardAgent",
                "forwardX11",
                "forwardX11Trusted",
                "overVsock"))
        .containsAll(((Map<String, Object>) t.get("ssh")).keySet());
    assertThat(t.get("env")).isEqualTo(Map.of("CONTAINERD_NAMESPACE", "finch"));
  }

  @Test
  void defaultsCarryInitOnlyKeys() {
    Map<String, Object> d = parse(LimaYaml.defaults(CONFIG));
    assertThat(d)
        .containsEntry("vmType", "vz")
        .containsEntry("mountType", "virtiofs")
        .containsEntry("mountInotify", true)
        .containsEntry(
            "vmOpts", Map.of("vz", Map.of("rosetta", Map.of("enabled", true, "binfmt", true))))
        .containsEntry("networks", List.of(Map.of("vzNAT", true)));
    FinchConfig qemu = FinchConfig.builder().memory("4GiB").vmType("qemu").build();
    assertThat(parse(LimaYaml.defaults(qemu)))
        .containsOnlyKeys("vmType", "mountType")
        .containsEntry("mountType", "reverse-sshfs");
  }

  @Test
  @SuppressWarnings("unchecked")
  void overrideCarriesRestartKeysSnapshotterAndProvisioning() {
    InstallLayout layout = new InstallLayout(Path.of("/Applications/Finch"));
    Map<String, Object> o = parse(LimaYaml.override(CONFIG, layout.guestBundleDir()));
    assertThat(o)
        .containsEntry("cpus", 6)
        .containsEntry("memory", "12GiB")
        .containsEntry("disk", "120GiB")
        .containsEntry("additionalDisks", List.of(Map.of("name", "finch")))
        .containsEntry("env", Map.of("CONTAINERD_SNAPSHOTTER", "soci"));
    assertThat((List<Map<String, Object>>) o.get("mounts"))
        .containsExactly(
            Map.of("location", "/Volumes/data", "writable", true),
            Map.of(
                "location",
                "/Applications/Finch/guest",
                "mountPoint",
                "/mnt/finch-guest",
                "writable",
                false));
    List<Map<String, Object>> provision = (List<Map<String, Object>>) o.get("provision");
    assertThat(provision).hasSize(1);
    assertThat(PROVISION_MODES).contains((String) provision.getFirst().get("mode"));
    assertThat(provision.getFirst()).containsOnlyKeys("mode", "script");
    assertThat((String) provision.getFirst().get("script"))
        .startsWith("#!/bin/bash\n")
        .contains(
            "cat \"$share/containerd-soci.toml\"",
            "systemctl start soci-snapshotter",
            "/mnt/lima-finch/soci-snapshotter-grpc",
            "bundle_dir=/mnt/finch-guest")
        .doesNotContain("adoptium", "https://");
  }
}
