package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.lazy.LazyPreparerFactory;
import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.MountCleaner;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.OciLayer;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 40-layer image, every layer with a zTOC, lazily pulled with {@code soci image rpull} and run:
 * the container reads a small file from each layer and gets the right bytes, every layer is a FUSE
 * mount, and the daemon asked the registry for the SOCI index, the image's referrers and each zTOC
 * once for the whole image, not once per layer.
 */
class ManyLayersLazyIT {
  static final int LAYERS = 40;

  @TempDir static Path tmp;
  static RegistryFixture registry;
  static DaemonHarness daemon;
  static ContainerdFixture containerd;
  static OciImage image;
  static String ref;

  static String line(int i) {
    return "layer " + i + " of " + LAYERS + " ok\n";
  }

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    List<TarLayer> extra = new ArrayList<>();
    for (int i = 1; i < LAYERS; i++) {
      extra.add(
          TarLayer.builder()
              .dir("data")
              .randomFile(String.format("data/l%02d.fill", i), 96 << 10, 1000 + i)
              .file(String.format("data/l%02d.txt", i), line(i))
              .build());
    }
    image = TestImages.busybox(tmp.resolve("layout"), "many", "v1", extra.toArray(TarLayer[]::new));
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/many", "v1");
    ref = registry.hostPort() + "/it/many:v1";
    daemon = new DaemonHarness();
    daemon.start(new LazyPreparerFactory());
    containerd =
        ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
    SociRuns.publishIndex(
        containerd, tmp.resolve("soci-cli"), ref, "--span-size", "65536", "--min-layer-size", "0");
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }

  @Test
  void everyLayerIsPreparedLazilyWithOneIndexResolutionAndTheContainerReadsEachLayer()
      throws Exception {
    String manifestHex = image.single().manifest().digest().substring("sha256:".length());
    int mark = registry.logMark();

    Run pull = SociRuns.rpull(containerd, tmp.resolve("soci-cli"), ref);
    assertThat(pull.rc()).as("%s\n%s\n%s", pull.out(), pull.err(), daemon.logText()).isZero();
    for (OciLayer l : image.single().layers()) {
      assertThat(pull.out()).contains("layer-" + l.blob().digest() + ": exists");
    }
    String log = daemon.logText();
    assertThat(count(log, "\"event\":\"remote-snapshot-prepared\"")).isEqualTo(LAYERS);
    assertThat(log).doesNotContain("defer-snapshot-runtime", "local-snapshot-prepared");
    assertThat(MountCleaner.mountsUnder(daemon.root.resolve("snapshotter/snapshots")))
        .hasSize(LAYERS);
    // the later Prepares found their layer staged by the first one: they only mounted it
    Matcher staged = Pattern.compile("\"prepare_ms\":(\\d+),\"staged_ms\":(\\d+)").matcher(log);
    int prepares = 0;
    while (staged.find()) {
      prepares++;
    }
    assertThat(prepares).isEqualTo(LAYERS);

    // One resolution for the image: the index manifest and each zTOC fetched once, and the image
    // manifest (v2 annotation) and its referrers (v1: API, then the sha256-<hex> fallback tag)
    // asked about a few times in all, not once per layer.
    Matcher index = Pattern.compile("\"ztoc\":\"sha256:([0-9a-f]{64})\"").matcher(log);
    List<String> ztocs = new ArrayList<>();
    while (index.find()) {
      ztocs.add(index.group(1));
    }
    assertThat(ztocs).hasSize(LAYERS).doesNotHaveDuplicates();
    for (String z : ztocs) {
      assertThat(registry.requestsSince(mark, "/blobs/sha256:" + z))
          .as("GETs of zTOC %s", z)
          .isEqualTo(1);
    }
    String indexDigest = indexDigest();
    assertThat(registry.requestsSince(mark, "/manifests/" + indexDigest)).isEqualTo(1);
    assertThat(registry.requestsSince(mark, manifestHex))
        .as("requests naming the image manifest (manifest, referrers, fallback tag)")
        .isBetween(1L, 3L);

    ContainerdProcess.Result run =
        containerd.runOnSoci(ref, "many-", "sh", "-c", "cat /data/l*.txt");
    assertThat(run.ok())
        .as("run: %s\n%s\n%s", run.output(), containerd.logTail(), daemon.logText())
        .isTrue();
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i < LAYERS; i++) {
      expected.append(line(i));
    }
    assertThat(run.stdout()).isEqualTo(expected.toString());
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      n++;
    }
    return n;
  }

  // the v1 index the daemon recorded for the image (artifacts/notes/index-<manifest hex>)
  private static String indexDigest() throws Exception {
    Path notes = daemon.root.resolve("soci/artifacts/notes");
    String manifestHex = image.single().manifest().digest().substring("sha256:".length());
    return java.nio.file.Files.readString(notes.resolve("index-" + manifestHex)).strip();
  }
}
