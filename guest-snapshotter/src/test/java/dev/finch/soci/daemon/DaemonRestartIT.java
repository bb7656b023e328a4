package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.daemon.BlockReads.Reading;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.FaultProxy;
import dev.finch.testkit.FaultProxy.Fault;
import dev.finch.testkit.MountCleaner;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What survives the daemon's stops, with the daemon as its own process stopped by real signals,
 * containerd, runc, FUSE and the registry behind a {@link FaultProxy} that can go away: after
 * SIGTERM and a restart with the registry down, files read before still read (their spans were
 * kept) and others give EIO until the registry is back; after SIGINT nothing read before is fetched
 * again; a full disk under the span cache gives EIO and a log line and leaves no partial span; and
 * {@code kill -9} while ten containers read leaves no wrong byte and a daemon that serves every
 * file once restarted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonRestartIT {
  static final int SEED = 700;

  @TempDir static Path tmp;
  static RegistryFixture registry;
  static FaultProxy proxy;
  static int proxyPort;
  static DaemonChild daemon;
  static ContainerdFixture containerd;
  static OciImage image;
  static String ref;
  static String blobPath;
  static Path spans;
  static BlockReads reads;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    image = TestImages.busybox(tmp.resolve("layout"), "restart", "v1", BlockReads.layer(SEED));
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/restart", "v1");
    proxy = FaultProxy.inFrontOf(registry);
    proxyPort = proxy.port();
    ref = proxy.hostPort() + "/it/restart:v1";
    String layer = image.single().layers().get(1).blob().digest();
    blobPath = "/v2/it/restart/blobs/" + layer;
    daemon = new DaemonChild(BlockReads.CONFIG).start();
    spans = daemon.root.resolve("soci/spancache/" + layer.substring("sha256:".length()));
    containerd =
        ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
    reads = new BlockReads(() -> containerd, ref, SEED).showing(DaemonRestartIT::log);
    BlockReads.indexAndPull(
        containerd,
        tmp.resolve("soci-cli"),
        registry.hostPort() + "/it/restart:v1",
        ref,
        DaemonRestartIT::log);
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, proxy, registry);
  }

  /** The daemon's log so far, for failure messages. */
  static String log() {
    try {
      return daemon.log();
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** A read that must have read every block: else the failure shows it and the daemon's log. */
  static void assertComplete(Reading r, String what) {
    assertThat(r.complete()).as("%s: %s\ndaemon: %s", what, r, BlockReads.tail(log())).isTrue();
  }

  static List<Path> spanFiles() throws IOException {
    if (!Files.isDirectory(spans)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(spans)) {
      return s.sorted().toList();
    }
  }

  static void restart() throws Exception {
    daemon.start();
    containerd.awaitSnapshotter("soci", Duration.ofSeconds(30));
  }

  @Test
  @Order(1)
  void afterSigtermARestartWithTheRegistryDownStillServesWhatWasRead() throws Exception {
    assertComplete(reads.read(0), "file 0");
    List<Path> cached = spanFiles();
    assertThat(cached).isNotEmpty();

    assertThat(daemon.stop("TERM", Duration.ofSeconds(30))).as(daemon.log()).isZero();
    assertThat(spanFiles()).as("SIGTERM keeps the span cache").isEqualTo(cached);

    proxy.close(); // the registry is gone: connections are refused
    restart();
    Reading before = reads.read(0);
    assertComplete(before, "a file read before the stop");
    Reading uncached = reads.read(1);
    assertThat(uncached.error()).as("a file never read: %s", uncached).isNotNull();
    assertThat(uncached.seconds()).isLessThan(BlockReads.FETCH_TIMEOUT_SEC + 10);

    proxy = FaultProxy.start(registry.hostPort(), proxyPort); // the registry is back
    assertComplete(reads.read(1), "once the registry is back");
  }

  @Test
  @Order(2)
  void afterSigintNothingReadBeforeIsFetchedAgain() throws Exception {
    assertComplete(reads.read(2), "file 2");
    assertThat(daemon.stop("INT", Duration.ofSeconds(30))).as(daemon.log()).isZero();
    restart();
    long served = proxy.bodyBytes(blobPath);
    assertComplete(reads.read(2), "file 2 after the restart");
    assertThat(proxy.bodyBytes(blobPath)).as("layer bytes fetched again").isEqualTo(served);
  }

  @Test
  @Order(3)
  void aFullDiskUnderTheSpanCacheGivesEioAndLeavesNoPartialSpan() throws Exception {
    assertThat(daemon.stop("TERM", Duration.ofSeconds(30))).isZero();
    Path cache = daemon.root.resolve("soci/spancache");
    // room for about two of the file's four 256 KiB spans
    run("mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", cache.toString());
    try {
      restart();
      Reading r = reads.read(3);
      assertThat(r.error()).as("%s", r).isNotNull();
      assertThat(daemon.log()).contains("No space left on device");
      assertThat(spanFiles())
          .as("no temporary or partial span file is left")
          .allSatisfy(p -> assertThat(p.getFileName().toString()).matches("\\d+"));
      // with room again, on what the full disk left: a corrupt span would show as a wrong block
      assertThat(daemon.stop("TERM", Duration.ofSeconds(30))).isZero();
      run("mount", "-o", "remount,size=64m", cache.toString());
      restart();
      assertComplete(reads.read(3), "with room again");
      assertThat(daemon.stop("TERM", Duration.ofSeconds(30))).isZero();
    } finally {
      if (daemon.alive()) {
        daemon.stop("KILL", Duration.ofSeconds(30));
      }
      run("umount", cache.toString());
      restart();
    }
  }

  @Test
  @Order(4)
  void killedWhileTenContainersReadItLosesNothingOnceRestarted() throws Exception {
    long base = proxy.requests(blobPath);
    // slow enough that all ten are mid-read when the daemon dies
    proxy.on("GET", blobPath).fault(Fault.slow(128 * 1024));
    ExecutorService pool = Executors.newFixedThreadPool(10);
    List<Future<Reading>> running = new ArrayList<>();
    for (int f = 4; f < 14; f++) {
      int file = f;
      // a read cut off by the kill sees the FUSE connection go: EIO, ENOTCONN or ECONNABORTED
      running.add(
          pool.submit(
              () ->
                  reads.read(
                      file,
                      BlockReads.EIO,
                      "Transport endpoint is not connected",
                      "Software caused connection abort")));
    }
    // (neighbouring files share a span, so ten reads may need fewer requests)
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (proxy.requests(blobPath) - base < 5 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(proxy.requests(blobPath) - base).as("reads in flight").isGreaterThanOrEqualTo(5);
    Thread.sleep(500);
    daemon.stop("KILL", Duration.ofSeconds(30));
    restart();
    int cutOff = 0;
    for (Future<Reading> r : running) {
      cutOff += r.get().complete() ? 0 : 1; // read() already checked every block it got
    }
    pool.shutdown();
    System.out.printf("kill -9: %d of 10 reads cut off, none wrong%n", cutOff);
    assertThat(cutOff).as("the kill came mid-read").isPositive();
    assertThat(spanFiles())
        .as("no partly written span is published")
        .allSatisfy(p -> assertThat(p.getFileName().toString()).matches("\\d+"));
    proxy.clear();
    for (int f = 4; f < 14; f++) {
      assertComplete(reads.read(f), "file " + f + " after the restart");
    }
    List<Path> mounts = MountCleaner.mountsUnder(daemon.root);
    assertThat(mounts)
        .as("the killed daemon's mounts were replaced, not stacked")
        .isNotEmpty()
        .doesNotHaveDuplicates();
  }

  private static void run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("%s: %s", String.join(" ", argv), out).isZero();
  }
}
