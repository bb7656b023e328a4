package dev.finch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerdConfigTest {
  private static final Path DIR = Path.of("/tmp/ctrd-x");
  private static final ContainerdFixture.Cri CRI =
      new ContainerdFixture.Cri("soci", List.of("127.0.0.1:5000"));

  @Test
  void defaultConfigKeepsEverythingUnderTheDirectoryAndDisablesCri() {
    String toml = new ContainerdConfig(DIR, 2, null, Map.of(), null).render();
    assertThat(toml)
        .startsWith("version = 2\n")
        .contains("root = \"/tmp/ctrd-x/root\"")
        .contains("state = \"/tmp/ctrd-x/state\"")
        .contains("disabled_plugins = [\"io.containerd.grpc.v1.cri\"]")
        .contains("[grpc]\n  address = \"/tmp/ctrd-x/containerd.sock\"")
        .contains("[ttrpc]\n  address = \"/tmp/ctrd-x/containerd.sock.ttrpc\"")
        .contains("[debug]\n  address = \"/tmp/ctrd-x/debug.sock\"")
        .contains("path = \"/tmp/ctrd-x/opt\"")
        .doesNotContain("proxy_plugins");
    // Top-level keys must come before the first table.
    assertThat(toml.indexOf("disabled_plugins")).isLessThan(toml.indexOf("[grpc]"));
  }

  @Test
  void version3DisablesEverySplitCriPlugin() {
    String toml = new ContainerdConfig(DIR, 3, null, Map.of(), null).render();
    assertThat(toml)
        .startsWith("version = 3\n")
        .contains(
            "disabled_plugins = [\"io.containerd.grpc.v1.cri\", \"io.containerd.cri.v1.images\", \"io.containerd.cri.v1.runtime\"]")
        .doesNotContain("io.containerd.internal.v1.opt");
  }

  @Test
  void proxySnapshottersAndCriInVersion2() {
    var c =
        new ContainerdConfig(
            DIR, 2, CRI, Map.of("soci", Path.of("/run/soci.sock")), "[timeouts]\n  x = 1");
    assertThat(c.render())
        .contains("disabled_plugins = []")
        .contains(
            "  [plugins.\"io.containerd.grpc.v1.cri\"]\n    disable_tcp_service = true\n"
                + "  [plugins.\"io.containerd.grpc.v1.cri\".containerd]\n    snapshotter = \"soci\"\n"
                + "    disable_snapshot_annotations = false\n"
                + "  [plugins.\"io.containerd.grpc.v1.cri\".registry]\n    config_path = \"/tmp/ctrd-x/certs.d\"\n")
        .contains(
            "[proxy_plugins]\n  [proxy_plugins.\"soci\"]\n    type = \"snapshot\"\n    address = \"/run/soci.sock\"")
        .endsWith("[timeouts]\n  x = 1\n");
    assertThat(c.hostFiles())
        .containsExactly(
            Map.entry(
                Path.of("/tmp/ctrd-x/certs.d/127.0.0.1:5000/hosts.toml"),
                "server = \"http://127.0.0.1:5000\"\n\n[host.\"http://127.0.0.1:5000\"]\n  capabilities = [\"pull\", \"resolve\"]\n"));
  }

  @Test
  void criInVersion3UsesTheImagesPlugin() {
    String toml = new ContainerdConfig(DIR, 3, CRI, Map.of(), null).render();
    assertThat(toml)
        .contains("disabled_plugins = []")
        .contains(
            "  [plugins.\"io.containerd.grpc.v1.cri\"]\n    disable_tcp_service = true\n"
                + "  [plugins.\"io.containerd.cri.v1.images\"]\n    snapshotter = \"soci\"\n"
                + "    disable_snapshot_annotations = false\n"
                + "  [plugins.\"io.containerd.cri.v1.images\".registry]\n    config_path = \"/tmp/ctrd-x/certs.d\"\n");
  }

  @Test
  void version3UnpacksForProxySnapshottersThroughTheTransferService() {
    String toml =
        new ContainerdConfig(DIR, 3, null, Map.of("soci", Path.of("/run/soci.sock")), null)
            .render();
    assertThat(toml)
        .contains(
            "  [plugins.\"io.containerd.transfer.v1.local\"]\n"
                + "    [[plugins.\"io.containerd.transfer.v1.local\".unpack_config]]\n      platform = \"linux/amd64\"\n"
                + "      snapshotter = \"overlayfs\"\n"
                + "    [[plugins.\"io.containerd.transfer.v1.local\".unpack_config]]\n      platform = \"linux/amd64\"\n"
                + "      snapshotter = \"soci\"\n");
    assertThat(new ContainerdConfig(DIR, 2, null, Map.of("soci", Path.of("/s")), null).render())
        .doesNotContain("transfer");
  }

  @Test
  void versionsFileListsTheSystemBuildFirst() {
    List<ContainerdDist> all = ContainerdDist.all();
    assertThat(all).extracting(ContainerdDist::name).startsWith("1.6").contains("1.7", "2.x");
    assertThat(all.getFirst().binDir()).isEqualTo(Path.of("/usr/bin"));
    assertThat(ContainerdDist.named("2.x").configVersion()).isEqualTo(3);
    assertThat(ContainerdDist.named("1.7").configVersion()).isEqualTo(2);
    assertThat(ContainerdDist.named("1.7").binDir())
        .endsWith(Path.of("ref/containerd-1.7/usr/bin"));
  }
}
