package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.lazy.LazyPreparerFactory;
import dev.finch.soci.testing.CriPull;
import dev.finch.soci.testing.SociRuns;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes path without a kubelet: a CRI {@code PullImage} call to containerd's CRI plugin
 * (snapshotter soci, snapshot annotations on) makes our daemon mount the indexed layer lazily.
 */
class CriPullIT {
  @TempDir static Path tmp;
  static RegistryFixture registry;
  static DaemonHarness daemon;
  static ContainerdFixture containerd;
  static OciImage image;
  static String ref;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    TarLayer.Builder data = TarLayer.builder().dir("data");
    for (int i = 0; i < 16; i++) {
      data.randomFile(String.format("data/file%02d.bin", i), 1 << 20, 500 + i);
    }
    image = TestImages.busybox(tmp.resolve("layout"), "cri", "v1", data.build());
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/cri", "v1");
    ref = registry.hostPort() + "/it/cri:v1";
    daemon = new DaemonHarness();
    daemon.start(new LazyPreparerFactory());
    containerd =
        ContainerdFixture.builder()
            .enableCri(new ContainerdFixture.Cri("soci", java.util.List.of(registry.hostPort())))
            .proxySnapshotter("soci", daemon.socket)
            .build()
            .start();
    SociRuns.publishIndex(containerd, tmp.resolve("soci-cli"), ref, "--min-layer-size", "2000000");
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }

  @Test
  void criPullImageLoadsTheIndexedLayerLazily() throws Exception {
    String dataLayer = image.single().layers().get(1).blob().digest();
    long before = registry.blobBytesServed(dataLayer.substring(7));
    assertThat(CriPull.pullImage(containerd.socket(), ref)).startsWith("sha256:");
    assertThat(daemon.logText())
        .contains("\"event\":\"remote-snapshot-prepared\"")
        .contains(dataLayer);
    assertThat(registry.blobBytesServed(dataLayer.substring(7)) - before)
        .as("bytes of the indexed layer served during the CRI pull")
        .isLessThan(image.single().layers().get(1).blob().size() / 5);
  }
}
