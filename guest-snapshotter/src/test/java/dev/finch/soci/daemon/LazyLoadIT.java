package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.lazy.LazyPreparerFactory;
import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lazy loading end to end: an image indexed by our {@code soci create} + {@code soci push} (v1,
 * found through the registry's referrers fallback tag), pulled with {@code soci image rpull}
 * through our daemon and run with {@code ctr run --snapshotter soci}: the container reads one file
 * of the big layer (over 100 MB), gets the right bytes, and the registry serves only a small part
 * of that layer. Also: the same image converted to a SOCI index manifest v2, an image without an
 * index (deferred to containerd), and a daemon killed without cleanup then restarted (its lazy
 * layers mounted again).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class LazyLoadIT {
  static final int FILES = 104;
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
    DaemonConfig d = DaemonConfig.defaults();
    daemon.start(new LazyPreparerFactory(), d.withMetrics(DaemonConfig.Metrics.tcp("127.0.0.1:0")));
    containerd =
        ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
    // Build and push the SOCI index from a separate namespace, as a CI job that pushes the image
    // would.
    SociRuns.publishIndex(
        containerd,
        tmp.resolve("soci-cli"),
        ref,
        "--span-size",
        "262144",
        "--min-layer-size",
        "2000000");
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }

  static Run soci(String... args) {
    return SociRuns.soci(containerd.socket(), tmp.resolve("soci-cli"), args);
  }

  static String sha256Of(int fileIndex) throws Exception {
    byte[] expected = TarLayer.randomBytes(100 + fileIndex, FILE_SIZE);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected));
  }

  static ContainerdProcess.Result runReading(String image, String name, int fileIndex) {
    return containerd.runOnSoci(
        image, name + "-", "sha256sum", String.format("/data/file%02d.bin", fileIndex));
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void containerReadsOneFileAndOnlyItsSpansAreFetched() throws Exception {
    String dataLayer = image.single().layers().get(1).blob().digest();
    long layerSize = image.single().layers().get(1).blob().size();
    String hex = dataLayer.substring("sha256:".length());
    long before = registry.blobBytesServed(hex);

    Run pull = soci("--namespace", "default", "image", "rpull", "--plain-http", ref);
    assertThat(pull.rc()).as("%s\n%s\n%s", pull.out(), pull.err(), daemon.logText()).isZero();
    assertThat(pull.out()).contains("layer-" + dataLayer + ": exists");
    assertThat(daemon.logText()).contains("\"event\":\"remote-snapshot-prepared\"");
    // The busybox layer is under --min-layer-size: no zTOC, so the daemon fetched it itself.
    assertThat(pull.out())
        .contains("layer-" + image.single().layers().get(0).blob().digest() + ": exists");
    assertThat(daemon.logText()).contains("\"event\":\"local-snapshot-prepared\"");

    ContainerdProcess.Result run = runReading(ref, "lazy", 7);
    assertThat(run.ok())
        .as("run: %s\n%s\n%s", run.output(), containerd.logTail(), daemon.logText())
        .isTrue();
    assertThat(run.stdout()).contains(sha256Of(7));

    long served = registry.blobBytesServed(hex) - before;
    System.out.printf(
        "lazy: data layer %d B, registry served %d B of it (%.1f%%) for a container reading %d B%n",
        layerSize, served, 100.0 * served / layerSize, FILE_SIZE);
    assertThat(served).isPositive().isLessThan(layerSize / 5);

    // the daemon's own count of what it fetched for the layer is what the registry served
    String metrics =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:" + daemon.wiring().metricsPort() + "/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    // (the client library writes every value as a Java double: 1.0, 5312345.0, 1.2345678E7)
    assertThat(sample(metrics, "soci_fs_registry_fetched_bytes_total{layer=\"" + dataLayer + "\"}"))
        .isEqualTo(served);
    assertThat(
            sample(
                metrics,
                "soci_fs_operation_count{layer=\""
                    + dataLayer
                    + "\",operation_type=\"synchronous_read_remote_registry_fetch_count\"}"))
        .isPositive();
    assertThat(metrics)
        .containsPattern("layer_size_bytes\\{digest=\"" + dataLayer + "\",mountpoint=\"[^\"]+\"} ");
    assertThat(metrics)
        .contains("# TYPE soci_fs_operation_count untyped", "# TYPE layer_size_bytes gauge");
    assertThat(
            metrics
                .lines()
                .filter(x -> x.startsWith("layer_size_bytes{digest=\"" + dataLayer + "\""))
                .map(x -> (long) Double.parseDouble(x.substring(x.lastIndexOf(' ') + 1))))
        .containsExactly(layerSize);
    assertThat(sample(metrics, "soci_fs_span_cache_bytes")).isPositive();
  }

  @Test
  @org.junit.jupiter.api.Order(2)
  void killedDaemonRestartsWithItsLazyLayersMountedAgain() throws Exception {
    daemon.wiring().crash();
    daemon.start(new LazyPreparerFactory());
    assertThat(daemon.logText()).contains("\"event\":\"remote-snapshot-restored\"");
    containerd.awaitSnapshotter(
        "soci", java.time.Duration.ofSeconds(30)); // its connection is in back-off
    ContainerdProcess.Result run = runReading(ref, "after-restart", 42);
    assertThat(run.ok()).as("run: %s\n%s", run.output(), daemon.logText()).isTrue();
    assertThat(run.stdout()).contains(sha256Of(42));
  }

  @Test
  @org.junit.jupiter.api.Order(3)
  void convertedV2ImageLoadsLazily() throws Exception {
    String v2 = registry.hostPort() + "/it/lazy:v2";
    Run conv =
        soci(
            "--namespace",
            "build",
            "convert",
            "--span-size",
            "262144",
            "--min-layer-size",
            "2000000",
            ref,
            v2);
    assertThat(conv.rc()).as(conv.err()).isZero();
    containerd.ctrIn("build", "images", "push", "--plain-http", v2, v2).check();
    Run pull = soci("--namespace", "default", "image", "rpull", "--plain-http", v2);
    assertThat(pull.rc()).as("%s\n%s", pull.out(), pull.err()).isZero();
    assertThat(pull.out())
        .contains("layer-" + image.single().layers().get(1).blob().digest() + ": exists");
    ContainerdProcess.Result run = runReading(v2, "v2", 3);
    assertThat(run.ok()).as("run: %s\n%s", run.output(), daemon.logText()).isTrue();
    assertThat(run.stdout()).contains(sha256Of(3));
  }

  @Test
  @org.junit.jupiter.api.Order(4)
  void imageWithoutAnIndexIsDeferredToContainerd() throws Exception {
    OciImage plain =
        TestImages.busybox(
            tmp.resolve("plain-layout"),
            "plain",
            "v1",
            TarLayer.builder().dir("data").randomFile("data/file05.bin", FILE_SIZE, 105).build());
    TestImages.push(plain, registry.hostPort(), "it/plain", "v1");
    String plainRef = registry.hostPort() + "/it/plain:v1";
    Run pull = soci("--namespace", "default", "image", "rpull", "--plain-http", plainRef);
    assertThat(pull.rc()).as("%s\n%s", pull.out(), pull.err()).isZero();
    assertThat(pull.out())
        .contains("layer-" + plain.single().layers().get(1).blob().digest() + ": done");
    assertThat(daemon.logText()).contains("\"event\":\"defer-snapshot-runtime\"");
    ContainerdProcess.Result run = runReading(plainRef, "plain", 5);
    assertThat(run.ok()).as("run: %s", run.output()).isTrue();
    assertThat(run.stdout()).contains(sha256Of(5));
  }

  @Test
  @org.junit.jupiter.api.Order(5)
  void prefetchArtifactSpansAreFetchedInTheBackgroundAfterTheMount() throws Exception {
    // its own data layer: the big one's snapshot already exists, so containerd would not prepare it
    // again
    TarLayer.Builder data = TarLayer.builder().dir("data");
    for (int i = 85; i < 95; i++) {
      data.randomFile(String.format("data/file%02d.bin", i), FILE_SIZE, 100 + i);
    }
    OciImage withPrefetch =
        TestImages.busybox(tmp.resolve("prefetch-layout"), "prefetch", "v1", data.build());
    TestImages.push(withPrefetch, registry.hostPort(), "it/prefetch", "v1");
    String pref = registry.hostPort() + "/it/prefetch:v1";
    SociRuns.publishIndex(
        containerd,
        tmp.resolve("soci-cli"),
        pref,
        "--span-size",
        "262144",
        "--min-layer-size",
        "2000000",
        "--prefetch-file",
        "/data/file90.bin");
    String layer = withPrefetch.single().layers().get(1).blob().digest();
    String hex = layer.substring("sha256:".length());
    long before = registry.blobBytesServed(hex);

    Run pull = soci("--namespace", "default", "image", "rpull", "--plain-http", pref);
    assertThat(pull.rc()).as("%s\n%s", pull.out(), pull.err()).isZero();
    String prepared =
        daemon
            .logText()
            .lines()
            .filter(
                l ->
                    l.contains("\"event\":\"remote-snapshot-prepared\"")
                        && l.contains("it/prefetch"))
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(prepared).contains("\"prefetch\":\"sha256:");
    String done = null;
    for (int i = 0; i < 300 && done == null; i++) {
      done =
          daemon
              .logText()
              .lines()
              .filter(l -> l.contains("\"event\":\"prefetch-done\"") && l.contains(layer))
              .findFirst()
              .orElse(null);
      if (done == null) {
        Thread.sleep(100);
      }
    }
    assertThat(done).as("prefetch-done in\n%s", daemon.logText()).isNotNull();
    // file90 is 1 MiB of random data: 4 or 5 spans of 256 KiB
    assertThat(done).containsPattern("\"fetched_spans\":[45][,}]");
    assertThat(done).contains("\"failed_spans\":0");
    assertThat(registry.blobBytesServed(hex) - before)
        .as("prefetched after rpull")
        .isGreaterThanOrEqualTo(FILE_SIZE);

    ContainerdProcess.Result run = runReading(pref, "prefetch", 90);
    assertThat(run.ok()).as("run: %s\n%s", run.output(), daemon.logText()).isTrue();
    assertThat(run.stdout()).contains(sha256Of(90));
  }

  /**
   * The value of the one sample {@code series} (name and labels exactly as written) in {@code
   * text}.
   */
  static long sample(String text, String series) {
    List<String> values =
        text.lines()
            .filter(l -> l.startsWith(series + " "))
            .map(l -> l.substring(series.length() + 1))
            .toList();
    assertThat(values).as("samples of %s in\n%s", series, text).hasSize(1);
    return (long) Double.parseDouble(values.getFirst());
  }
}
