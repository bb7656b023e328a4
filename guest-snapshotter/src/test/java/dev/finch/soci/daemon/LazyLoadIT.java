package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.soci.remote.SociPreparerFactory;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lazy loading end to end: an image indexed by our {@code soci create} + {@code soci push} (v1, found
 * through the registry's referrers fallback tag), pulled with {@code soci image rpull} through our
 * daemon and run with {@code ctr run --snapshotter soci}: the container reads one file of the big
 * layer, gets the right bytes, and the registry serves only a small part of that layer.
 */
class LazyLoadIT {
  static final int FILES = 24;
  static final int FILE_SIZE = 1 << 20;

  @TempDir static java.nio.file.Path tmp;
  static RegistryFixture registry;
  static DaemonHarness daemon;
  static ContainerdFixture containerd;
  static OciImage image;
  static String ref;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    TarLayer.Builder data = TarLayer.builder().dir("data");
    for (int i = 0; i < FILES; i++) {
      data.randomFile(String.format("data/file%02d.bin", i), FILE_SIZE, 100 + i);
    }
    image = TestImages.busybox(tmp.resolve("layout"), "lazy", "v1", data.build());
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/lazy", "v1");
    ref = registry.hostPort() + "/it/lazy:v1";
    daemon = new DaemonHarness();
    daemon.start(new SociPreparerFactory());
    containerd = ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
    // Build and push the SOCI index from a separate namespace, as a CI job that pushes the image would.
    containerd.ctrIn("build", "images", "pull", "--plain-http", ref).check();
    Run create = soci("--namespace", "build", "create", "--span-size", "262144", "--min-layer-size", "1000000", ref);
    assertThat(create.rc()).as(create.err()).isZero();
    Run push = soci("--namespace", "build", "push", "--plain-http", ref);
    assertThat(push.rc()).as(push.err()).isZero();
  }

  @AfterAll
  static void stop() {
    if (containerd != null) {
      containerd.close();
    }
    if (daemon != null) {
      daemon.close();
    }
    if (registry != null) {
      registry.close();
    }
  }


  static Run soci(String... args) {
    return SociRuns.soci(containerd.socket(), tmp.resolve("soci-cli"), args);
  }

  @Test
  void containerReadsOneFileAndOnlyItsSpansAreFetched() throws Exception {
    String dataLayer = image.single().layers().get(1).blob().digest();
    long layerSize = image.single().layers().get(1).blob().size();
    String hex = dataLayer.substring("sha256:".length());
    long before = registry.blobBytesServed(hex);

    Run pull = soci("--namespace", "default", "image", "rpull", "--plain-http", ref);
    assertThat(pull.rc()).as("%s\n%s\n%s", pull.out(), pull.err(), daemon.logText()).isZero();
    assertThat(pull.out()).contains("layer-" + dataLayer + ": exists");
    assertThat(daemon.logText()).contains("\"event\":\"remote-snapshot-prepared\"");

    ContainerdProcess.Result run = containerd.ctr(
        "run", "--rm", "--snapshotter", "soci", ref, "lazy-" + ProcessHandle.current().pid(),
        "sha256sum", "/data/file07.bin");
    assertThat(run.ok()).as("run: %s\n%s\n%s", run.output(), containerd.logTail(), daemon.logText()).isTrue();
    byte[] expected = TarLayer.randomBytes(107, FILE_SIZE);
    String sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected));
    assertThat(run.stdout()).contains(sum);

    long served = registry.blobBytesServed(hex) - before;
    System.out.printf("lazy: data layer %d B, registry served %d B of it (%.1f%%) for a container reading %d B%n",
        layerSize, served, 100.0 * served / layerSize, FILE_SIZE);
    assertThat(served).isPositive().isLessThan(layerSize / 5);
  }
}
