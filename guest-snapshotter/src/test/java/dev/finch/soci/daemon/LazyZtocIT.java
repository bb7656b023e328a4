package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.index.SociIndex;
import dev.finch.soci.lazy.LazyPreparerFactory;
import dev.finch.soci.lazy.mount.FetchAhead;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.soci.ztoc.compression.GzipCheckpoint;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code soci create --lazy-ztoc} end to end, with a real registry, containerd, runc, FUSE and our
 * daemon: the mount fetches the layer's zTOC skeleton, not its zTOC; then, in the background, the
 * daemon fetches the checkpoint windows the skeleton left out, each once, and of the zTOC blob
 * nothing else; containers reading files get the right bytes and need no window request. (Windows
 * fetched on demand, span by span, are RemoteLayerIT's.)
 */
class LazyZtocIT {
  static final int FILES = 40;
  static final int FILE_SIZE = 1 << 20;
  static final int SPAN = 262144;
  static final int W = GzipCheckpoint.WINDOW_SIZE;

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
    for (int i = 0; i < FILES; i++) {
      data.randomFile(String.format("data/file%02d.bin", i), FILE_SIZE, 900 + i);
    }
    image = TestImages.busybox(tmp.resolve("layout"), "lazyztoc", "v1", data.build());
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/lazyztoc", "v1");
    ref = registry.hostPort() + "/it/lazyztoc:v1";
    daemon = new DaemonHarness();
    daemon.start(new LazyPreparerFactory());
    containerd =
        ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
    SociRuns.publishIndex(
        containerd,
        tmp.resolve("soci-cli"),
        ref,
        "--span-size",
        Integer.toString(SPAN),
        "--min-layer-size",
        "2000000",
        "--lazy-ztoc");
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }

  static String sha256Of(int f) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(TarLayer.randomBytes(900 + f, FILE_SIZE)));
  }

  static String read(int f) throws Exception {
    ContainerdProcess.Result run =
        containerd.runOnSoci(
            ref, "lazyztoc" + f + "-", "sha256sum", String.format("/data/file%02d.bin", f));
    assertThat(run.ok()).as("run: %s\n%s", run.output(), daemon.logText()).isTrue();
    return run.stdout();
  }

  @Test
  void theMountFetchesTheSkeletonThenTheWindowsComeAheadOfTheReads() throws Exception {
    Digest layer = Digest.parse(image.single().layers().get(1).blob().digest());
    RegistryClient client = RegistryClient.builder(registry.hostPort()).plainHttp(true).build();
    Digest manifest = Digest.parse(image.single().manifest().digest());
    Descriptor indexDesc =
        client.referrers("it/lazyztoc", manifest, MediaTypes.SOCI_INDEX_V1).getLast();
    SociIndex index =
        SociIndex.parse(client.fetchManifest("it/lazyztoc", indexDesc.digest()).bytes());
    Descriptor ztoc = index.ztocFor(layer);
    Descriptor skeleton = index.skeletonFor(layer);
    assertThat(skeleton).as("--lazy-ztoc lists a skeleton for the data layer").isNotNull();
    assertThat(index.manifest().layers().indexOf(skeleton))
        .as("listed before the zTOCs (the reference takes the last descriptor of a layer)")
        .isLessThan(index.manifest().layers().indexOf(ztoc));
    assertThat(skeleton.size()).isLessThan(ztoc.size() / 10);

    // the windows that one request of the daemon's fetch ahead brings, the 17 bytes between two
    // consecutive windows included
    dev.finch.soci.ztoc.ZtocSkeleton sk =
        dev.finch.soci.ztoc.ZtocSkeleton.parse(
            client.fetchBlobRange(
                "it/lazyztoc",
                skeleton.digest(),
                new dev.finch.soci.registry.ByteRange(0, skeleton.size())),
            ztoc.size());
    long windows = 0;
    for (int k = 0; k < sk.holes().size(); k++) {
      windows += W;
      if (k > 0
          && sk.holes().get(k).offset() - sk.holes().get(k - 1).offset() == W + 17
          && sk.holes().get(k).spanId() / FetchAhead.WINDOWS_AHEAD_SPANS
              == sk.holes().get(k - 1).spanId() / FetchAhead.WINDOWS_AHEAD_SPANS) {
        windows += 17;
      }
    }
    long skeletonServed = registry.blobBytesServed(skeleton.digest().hex());

    Run pull = SociRuns.rpull(containerd, tmp.resolve("cli-pull"), ref);
    assertThat(pull.rc()).as("%s\n%s\n%s", pull.out(), pull.err(), daemon.logText()).isZero();
    assertThat(daemon.logText())
        .contains("\"event\":\"remote-snapshot-prepared\"")
        .contains("\"windows_ahead\":true");
    assertThat(registry.blobBytesServed(skeleton.digest().hex()) - skeletonServed)
        .as("the skeleton, once")
        .isEqualTo(skeleton.size());

    // after the mount, while no container reads, the windows come in the background, each once
    long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    while (registry.blobBytesServed(ztoc.digest().hex()) < windows && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    Thread.sleep(500);
    long ahead = registry.blobBytesServed(ztoc.digest().hex());
    assertThat(ahead)
        .as("every left-out window of the %d-byte zTOC, fetched ahead", ztoc.size())
        .isEqualTo(windows)
        .isLessThan(ztoc.size());

    assertThat(read(12)).contains(sha256Of(12));
    assertThat(read(30)).contains(sha256Of(30));
    assertThat(registry.blobBytesServed(ztoc.digest().hex()))
        .as("the reads need no window request")
        .isEqualTo(ahead);
    assertThat(registry.blobBytesServed(skeleton.digest().hex()) - skeletonServed)
        .isEqualTo(skeleton.size());
  }
}
