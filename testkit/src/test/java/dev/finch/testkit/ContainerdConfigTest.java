package dev.finch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerdConfigTest {
  private static final Path DIR = Path.of("/tmp/ctrd-x");

  @Test
  void defaultConfigKeepsEverythingUnderTheDirectoryAndDisablesCri() {
    String toml = new ContainerdConfig(DIR, null, Map.of(), null).render();
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
  void proxySnapshottersAndCri() {
    String toml =
        new ContainerdConfig(DIR, "    sandbox_image = \"pause:3\"", Map.of("soci", Path.of("/run/soci.sock")), "[timeouts]\n  x = 1")
            .render();
    assertThat(toml)
        .contains("disabled_plugins = []")
        .contains("  [plugins.\"io.containerd.grpc.v1.cri\"]\nsandbox_image = \"pause:3\"")
        .contains("[proxy_plugins]\n  [proxy_plugins.\"soci\"]\n    type = \"snapshot\"\n    address = \"/run/soci.sock\"")
        .endsWith("[timeouts]\n  x = 1\n");
  }
}
