package dev.finch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GuestFilesTest {
  private static FinchConfig withSnapshotters(List<String> s) {
    return new FinchConfig(2, "4GiB", Optional.of("vz"), false, s, List.of(), List.of(), false,
        true, "100GiB", "50GiB", false, false);
  }

  @Test
  void rendersProxyPluginSociConfigAndUnit() {
    assertThat(GuestFiles.containerdProxyPlugin()).isEqualTo("""
        [proxy_plugins.soci]
          type = "snapshot"
          address = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
        """);
    assertThat(GuestFiles.sociConfig()).contains("[pull_modes.soci_v1]\n  enable = true")
        .contains("[pull_modes.soci_v2]\n  enable = true");
    assertThat(GuestFiles.sociSystemdUnit()).contains("Type=simple", "PartOf=containerd.service",
        "Before=containerd.service",
        "ExecStart=/usr/local/bin/soci-snapshotter-grpc --address "
            + "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock");
  }

  @Test
  void provisioningInstallsEverythingAndSociOnlyWhenListed() {
    String soci = new GuestProvisioning(withSnapshotters(List.of("soci")), "/mnt/finch-guest",
        "/mnt/lima-finch").script();
    assertThat(soci).startsWith("#!/bin/bash\n# finch guest provisioning")
        .contains("nerdctl-full-2.2.2-linux-${goarch}.tar.gz", "/opt/finch/jre/bin/java",
            "/mnt/finch-guest/finch-guest.tar.gz",
            "mount --bind '/mnt/lima-finch/soci-snapshotter-grpc' '/var/lib/soci-snapshotter-grpc'",
            "grep -qs 'proxy_plugins.soci' /etc/containerd/config.toml",
            GuestFiles.containerdProxyPlugin(), "systemctl enable --now soci-snapshotter.service",
            "if ! [ -x /usr/local/bin/soci-snapshotter-grpc ]; then",
            "echo 'namespace = \"finch\"' >> /etc/nerdctl/nerdctl.toml",
            "if mountpoint -q '/mnt/lima-finch' && ! mountpoint -q '/var/lib/containerd'");
    String plain = new GuestProvisioning(withSnapshotters(List.of()), "/g", "/d").script();
    assertThat(plain).doesNotContain("proxy_plugins").contains("systemctl restart containerd");
  }
}
