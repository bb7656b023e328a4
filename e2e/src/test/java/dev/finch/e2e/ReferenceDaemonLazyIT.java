package dev.finch.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.Fixtures;
import dev.finch.testkit.ManagedProcess;
import dev.finch.testkit.MountCleaner;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.OciLayer;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference soci-snapshotter-grpc 0.4.1 lazily loads an index built and pushed by OUR soci with
 * 1 MiB spans and a prefetch artifact (which 0.4.1 predates): {@code soci image rpull} of the
 * reference mounts the indexed layer over FUSE, the reference daemon says it uses our index, a
 * container reads files from several spans and the prefetch file with the right bytes, and the
 * registry serves less than the layer.
 *
 * <p>0.4.1 fetches the index and zTOCs over https whatever {@code --plain-http} says, so a second
 * registry process serves the same storage over TLS with a self-signed certificate for 127.0.0.1
 * that the reference trusts through {@code SSL_CERT_FILE} and {@code --tlscacert}; a resolver
 * mirror in the reference daemon's config.toml sends its layer Range GETs back to the plain-http
 * port (see /work/shared/reference/soci-0.4.1-here.md). Skopeo, ctr and our soci use the plain-http
 * port. The reference always uses /var/lib/soci-snapshotter-grpc; this test saves and restores it.
 */
class ReferenceDaemonLazyIT {
  static final int FILES = 16;
  static final int FILE_SIZE = 1 << 20;
  static final int SPAN_SIZE = 1 << 20;
  static final int PREFETCH_SIZE = 300 << 10;
  static final long PREFETCH_SEED = 777;
  static final String PREFETCH_FILE = "/data/prefetch.bin";

  /** Files the container reads: in spans far apart (file NN starts near span NN). */
  static final List<Integer> READ = List.of(1, 8, 14);

  @TempDir static Path work;
  static RegistryFixture registry;
  static RegistryFixture tls;
  static ContainerdFixture containerd;
  static ManagedProcess daemon;
  static Path refBin;
  static ReferenceSoci.SavedState saved;

  /** The image on the plain-http port (ours and ctr use it). */
  static String image;

  /** The same image on the TLS port of the same storage (the reference pulls it). */
  static String tlsImage;

  static OciLayer dataLayer;
  static String indexDigest;
  static String prefetchDigest;

  static ContainerdProcess.Result run(List<String> argv) {
    return ContainerdProcess.run(argv, Duration.ofMinutes(5));
  }

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    refBin = ReferenceSoci.binDir();
    saved = ReferenceSoci.saveState(work);
    // cold: no artifacts of an earlier run in the reference's content store
    run(List.of("rm", "-rf", ReferenceSoci.STATE.toString())).check();

    registry = RegistryFixture.builder().start();
    tls = RegistryFixture.builder().tls().sameStorageAs(registry).start();
    Path bundle = work.resolve("bundle.pem");
    Path system = Path.of("/etc/ssl/certs/ca-certificates.crt");
    Files.writeString(
        bundle,
        (Files.exists(system) ? Files.readString(system) : "")
            + Files.readString(tls.certificate()));

    TarLayer.Builder data = TarLayer.builder().dir("data");
    for (int i = 0; i < FILES; i++) {
      data.randomFile(String.format("data/file%02d.bin", i), FILE_SIZE, seed(i));
      if (i == FILES / 2) {
        data.randomFile(PREFETCH_FILE.substring(1), PREFETCH_SIZE, PREFETCH_SEED);
      }
    }
    OciImage img = TestImages.busybox(work.resolve("layout"), "reflazy", "v1", data.build());
    dataLayer = img.single().layers().getLast();
    assertThat(dataLayer.blob().size()).isGreaterThan(10L << 20);
    TestImages.push(img, registry.hostPort(), "it/reflazy", "v1");
    image = registry.hostPort() + "/it/reflazy:v1";
    tlsImage = tls.hostPort() + "/it/reflazy:v1";

    // 0.4.1 resolves layer blobs on 127.0.0.1 over plain http (a 400 from the TLS port): a mirror
    // sends its layer Range GETs to the plain-http port of the same storage.
    Files.writeString(
        work.resolve("config.toml"),
        "[[resolver.host.\""
            + tls.hostPort()
            + "\".mirrors]]\n  host = \""
            + registry.hostPort()
            + "\"\n  insecure = true\n");
    Path sock = work.resolve("ref.sock");
    daemon =
        ManagedProcess.start(
            "reference soci-snapshotter-grpc",
            List.of(
                refBin.resolve("soci-snapshotter-grpc").toString(),
                "--address",
                sock.toString(),
                "--root",
                work.resolve("ref-root").toString(),
                "--config",
                work.resolve("config.toml").toString()),
            Map.of("SSL_CERT_FILE", bundle.toString()),
            work,
            work.resolve("ref-daemon.log"));
    for (int i = 0; i < 100 && !Files.exists(sock); i++) {
      Thread.sleep(100);
    }
    assertThat(sock).as(daemon.logTail(20)).exists();
    containerd = ContainerdFixture.builder().proxySnapshotter("soci", sock).build().start();

    // OUR soci builds (1 MiB spans + a prefetch artifact) and pushes the index, from another
    // namespace than the one the reference pulls into.
    containerd.ctrIn("build", "images", "pull", "--plain-http", image).check();
    List<String> ours =
        List.of(
            Launchers.soci().toString(),
            "--address",
            containerd.socket().toString(),
            "--root",
            work.resolve("soci-cli").toString(),
            "-n",
            "build");
    ContainerdProcess.Result create =
        run(
            concat(
                ours,
                "create",
                "--span-size",
                Integer.toString(SPAN_SIZE),
                "--prefetch-file",
                PREFETCH_FILE,
                "--lazy-ztoc",
                "--file-checkpoints",
                image));
    assertThat(create.exitCode()).as(create.toString()).isZero();
    ContainerdProcess.Result push = run(concat(ours, "push", "--plain-http", image));
    assertThat(push.exitCode()).as(push.toString()).isZero();
    indexDigest = run(concat(ours, "index", "list", "-q")).stdout().strip();
    assertThat(indexDigest).as("one index").matches("sha256:[0-9a-f]{64}");
    ContainerdProcess.Result info = run(concat(ours, "index", "info", indexDigest));
    assertThat(info.exitCode()).as(info.toString()).isZero();
    assertThat(info.stdout())
        .as("our index lists a prefetch artifact for the data layer")
        .contains("application/vnd.amazon.soci.prefetch.v1+json")
        .contains(dataLayer.blob().digest())
        .as("and our zTOC skeleton (--lazy-ztoc), which the reference must ignore")
        .contains("application/vnd.dev.finch.soci.ztoc-skeleton.v1+gzip");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "\"application/vnd\\.amazon\\.soci\\.prefetch\\.v1\\+json\",\\s*\"digest\":\\s*\"(sha256:[0-9a-f]{64})\"")
            .matcher(info.stdout());
    assertThat(m.find()).as(info.stdout()).isTrue();
    prefetchDigest = m.group(1);
  }

  static List<String> concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

  /** Bytes of the data layer both ports of the registry served so far. */
  static long layerBytesServed() {
    String digest = dataLayer.blob().digest();
    return registry.blobBytesServed(digest) + tls.blobBytesServed(digest);
  }

  /** The random seed of data/fileNN.bin. */
  static long seed(int file) {
    return 500 + file;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** FUSE mounts under {@code dir}, from /proc/self/mountinfo. */
  static long fuseMountsUnder(Path dir) throws Exception {
    String prefix = dir.toRealPath() + "/";
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .filter(
            l -> {
              String[] f = l.split(" ");
              int dash = List.of(f).indexOf("-");
              return f[4].startsWith(prefix) && dash > 0 && f[dash + 1].startsWith("fuse");
            })
        .count();
  }

  @AfterAll
  static void stop() {
    Fixtures.closeAll(containerd, daemon, tls, registry);
    if (work != null) {
      MountCleaner.unmountUnder(work);
    }
    if (saved != null) {
      saved.restore();
    }
  }

  @Test
  void referenceDaemonLoadsOurIndexLazily() throws Exception {
    long servedBefore = layerBytesServed();
    ContainerdProcess.Result pull =
        ContainerdProcess.run(
            List.of(
                "env",
                "SSL_CERT_FILE=" + work.resolve("bundle.pem"),
                refBin.resolve("soci").toString(),
                "--address",
                containerd.socket().toString(),
                "image",
                "rpull",
                "--tlscacert",
                tls.certificate().toString(),
                tlsImage),
            Duration.ofMinutes(5));
    assertThat(pull.exitCode()).as(pull.toString() + daemon.logTail(40)).isZero();

    List<String> files = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i : READ) {
      files.add(String.format("/data/file%02d.bin", i));
      expected.add(sha256(TarLayer.randomBytes(seed(i), FILE_SIZE)));
    }
    files.add(PREFETCH_FILE);
    expected.add(sha256(TarLayer.randomBytes(PREFETCH_SEED, PREFETCH_SIZE)));
    List<String> argv = new ArrayList<>(List.of("sha256sum"));
    argv.addAll(files);
    ContainerdProcess.Result c =
        containerd.runOnSoci(tlsImage, "reflazy-", argv.toArray(String[]::new));
    // measured before the reference's background fetcher starts (30 s after the mount)
    long served = layerBytesServed() - servedBefore;
    assertThat(c.ok()).as(c.output() + daemon.logTail(40)).isTrue();
    for (int i = 0; i < files.size(); i++) {
      assertThat(c.stdout()).as(files.get(i)).contains(expected.get(i) + "  " + files.get(i));
    }

    String log = Files.readString(work.resolve("ref-daemon.log"));
    assertThat(fuseMountsUnder(work.resolve("ref-root")))
        .as(
            "the data layer (only it has a zTOC) is a FUSE mount of the reference daemon\n"
                + daemon.logTail(40))
        .isEqualTo(1);
    assertThat(
            log.lines()
                .filter(l -> l.contains("fetching SOCI artifacts using index descriptor"))
                .toList())
        .as("the reference daemon used our index " + indexDigest)
        .anyMatch(l -> l.contains(indexDigest));
    // 0.4.1 fetches every blob of the index, the prefetch artifact too, and (listed before the
    // zTOC) leaves it unused; listed after the zTOC it was taken for the zTOC ("cannot unmarshal
    // ztoc") and the layer was pulled whole.
    assertThat(log.lines().filter(l -> l.contains("fetching artifact from remote")).toList())
        .anyMatch(l -> l.contains(prefetchDigest));
    assertThat(log).doesNotContain("cannot unmarshal ztoc");
    long layer = dataLayer.blob().size();
    System.out.printf(
        "ReferenceDaemonLazyIT: registry served %d of the data layer's %d bytes (%.1f %%)%n",
        served, layer, 100.0 * served / layer);
    assertThat(served).as("bytes of the data layer served").isPositive().isLessThan(layer);
  }
}
