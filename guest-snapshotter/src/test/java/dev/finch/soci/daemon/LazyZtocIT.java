package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.index.SociIndex;
import dev.finch.soci.lazy.LazyPreparerFactory;
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
 * daemon: the mount fetches the layer's zTOC skeleton, not its zTOC; a container reading one file
 * gets the right bytes, and of the zTOC blob the registry serves only the checkpoint windows of the
 * spans read (a few per cent of it); a second container reading another file fetches that file's
 * windows only.
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
  void theMountFetchesTheSkeletonAndReadsFetchOnlyTheirSpansWindows() throws Exception {
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

    Run pull = SociRuns.rpull(containerd, tmp.resolve("cli-pull"), ref);
    assertThat(pull.rc()).as("%s\n%s\n%s", pull.out(), pull.err(), daemon.logText()).isZero();
    assertThat(daemon.logText()).contains("\"event\":\"remote-snapshot-prepared\"");
    assertThat(registry.blobBytesServed(skeleton.digest().hex()))
        .as("the skeleton, once")
        .isEqualTo(skeleton.size());
    assertThat(registry.blobBytesServed(ztoc.digest().hex()))
        .as("no zTOC byte before a read")
        .isZero();

    assertThat(read(12)).contains(sha256Of(12));
    long first = registry.blobBytesServed(ztoc.digest().hex());
    // a 1 MiB file spans 4 or 5 spans of 256 KiB (and the kernel may read ahead into one more)
    assertThat(first)
        .as("the windows of the spans read, of a %d-byte zTOC", ztoc.size())
        .isBetween(4L * W, 6L * (W + 17))
        .isLessThan(ztoc.size() / 20);

    assertThat(read(30)).contains(sha256Of(30));
    long second = registry.blobBytesServed(ztoc.digest().hex()) - first;
    assertThat(second).as("that file's windows only").isBetween(4L * W, 6L * (W + 17));
    assertThat(registry.blobBytesServed(skeleton.digest().hex())).isEqualTo(skeleton.size());
  }
}
