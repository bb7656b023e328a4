package dev.finch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestFilesTest {
  private static final Path GUEST = Path.of("..", "installers", "guest");

  private static FinchConfig withSnapshotters(List<String> s) {
    return FinchConfig.builder().memory("4GiB").vmType("vz").snapshotters(s).build();
  }

  @Test
  void theOneUnitAndProxyBlockNameThesePaths() throws Exception {
    String unit = Files.readString(GUEST.resolve("soci-snapshotter.service"));
    assertThat(unit)
        .contains(
            "Type=notify",
            "PartOf=containerd.service",
            "Before=containerd.service",
            "ExecStart="
                + GuestFiles.SOCI_DAEMON
                + " --address "
                + GuestFiles.SOCI_SOCKET
                + " --root "
                + GuestFiles.SOCI_ROOT
                + " --config "
                + GuestFiles.SOCI_CONFIG);
    assertThat(Files.readString(GUEST.resolve("containerd-soci.toml")))
        .contains(
            "[proxy_plugins.soci]\n    type = \"snapshot\"\n    address = \""
                + GuestFiles.SOCI_SOCKET
                + "\"");
  }

  @Test
  void theBundleIsTrainedAndPackagedAtTheInstallPathTheProvisioningUses() throws Exception {
    // the AOT caches are valid only there: build-guest-bundle trains at it, build-deb installs at
    // it
    assertThat(Files.readString(Path.of("..", "installers", "build-guest-bundle")))
        .contains("GUEST_HOME=" + GuestProvisioning.BUNDLE_HOME + "\n");
    assertThat(GuestFiles.SOCI_DAEMON)
        .isEqualTo(GuestProvisioning.BUNDLE_HOME + "/bin/soci-snapshotter-grpc");
  }

  @Test
  void provisioningInstallsFromTheBundleAndSociOnlyWhenListed() {
    String soci =
        new GuestProvisioning(
                withSnapshotters(List.of("soci")), "/mnt/finch-guest", "/mnt/lima-finch")
            .script();
    assertThat(soci)
        .startsWith("#!/bin/bash\n# finch guest provisioning")
        .contains(
            "bundle_dir=/mnt/finch-guest",
            "nerdctl-full-*-linux-\"$goarch\".tar.gz",
            "bundle=\"$bundle_dir/finch-guest.tar.gz\"",
            "tar -C /usr/lib/finch-guest --strip-components=1 -xzf \"$bundle\"",
            "mount --bind '/mnt/lima-finch/soci-snapshotter-grpc' '/var/lib/soci-snapshotter-grpc'",
            "install_file \"$share/soci-snapshotter.service\" /etc/systemd/system/soci-snapshotter.service",
            "if ! [ -e /etc/soci-snapshotter-grpc/config.toml ]; then install_file \"$share/config.toml\" /etc/soci-snapshotter-grpc/config.toml",
            "grep -qs 'proxy_plugins.soci' /etc/containerd/config.toml",
            "cat \"$share/containerd-soci.toml\"; } >> /etc/containerd/config.toml",
            "share=/usr/lib/finch-guest/share/finch-guest",
            "echo 'namespace = \"finch\"' >> /etc/nerdctl/nerdctl.toml",
            "if mountpoint -q '/mnt/lima-finch' && ! mountpoint -q '/var/lib/containerd'",
            "step \"done\"")
        .doesNotContain("curl", "https://", "adoptium", "github.com");
    String plain = new GuestProvisioning(withSnapshotters(List.of()), "/g", "/d").script();
    assertThat(plain).doesNotContain("proxy_plugins").contains("systemctl restart containerd");
  }

  @Test
  void aPreludeRunsRightAfterTheHeader() {
    String s =
        new GuestProvisioning(withSnapshotters(List.of()), "/g", "/d")
            .scriptWithPrelude("echo first\n");
    assertThat(s)
        .startsWith("#!/bin/bash\n# finch guest provisioning\necho first\nset -eu -o pipefail\n");
  }

  @Test
  void provisioningAnnouncesItsStepsInOrder() {
    GuestProvisioning plain = new GuestProvisioning(withSnapshotters(List.of()), "/b", "/d");
    assertThat(GuestProvisioning.steps(plain.script()))
        .containsExactly(
            "containerd, runc, nerdctl", "guest bundle", "data disk", "containerd", "done");
    GuestProvisioning soci = new GuestProvisioning(withSnapshotters(List.of("soci")), "/b", "/d");
    assertThat(
            GuestProvisioning.steps(
                soci.scriptWithPrelude("echo \"" + GuestProvisioning.STEP_PREFIX + "mounts\"\n")))
        .containsExactly(
            "mounts",
            "containerd, runc, nerdctl",
            "guest bundle",
            "data disk",
            "soci snapshotter",
            "containerd",
            "done");
  }
}
