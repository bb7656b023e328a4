package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.daemon.BlockReads.Reading;
import dev.finch.soci.lazy.LazyPreparerFactory;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.FaultProxy;
import dev.finch.testkit.FaultProxy.Fault;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TestImages;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every registry fault of {@link FaultProxy}, with the real daemon, containerd, runc and FUSE: the
 * image is pulled lazily through the proxy, and a container reads one not yet fetched file of the
 * lazily mounted layer, block by block, while the fault is on. Each case asserts the three promises
 * of the daemon: the container gets the right bytes, or EIO within the configured bound ({@code
 * [blob] fetching_timeout_sec = 10}); no block ever holds a wrong byte (each block read is hashed
 * and must be the expected hash, or the read failed with EIO); and once the fault is cleared, the
 * same file reads correctly. Background fetching is off, so only container reads fetch.
 */
class RegistryFaultsIT {
  static final int SEED = 500;

  @TempDir static java.nio.file.Path tmp;
  static RegistryFixture registry;
  static FaultProxy proxy;
  static DaemonHarness daemon;
  static ContainerdFixture containerd;
  static OciImage image;
  static String ref;
  static String blobPath;
  static final AtomicInteger nextFile = new AtomicInteger();
  static BlockReads reads;
  static double containerOverheadSec;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    image = TestImages.busybox(tmp.resolve("layout"), "faults", "v1", BlockReads.layer(SEED));
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/faults", "v1");
    proxy = FaultProxy.inFrontOf(registry);
    ref = proxy.hostPort() + "/it/faults:v1";
    reads = new BlockReads(() -> containerd, ref, SEED).showing(() -> daemon.logText());
    blobPath = "/v2/it/faults/blobs/" + image.single().layers().get(1).blob().digest();
    daemon = new DaemonHarness();
    daemon.start(
        new LazyPreparerFactory(),
        DaemonConfigLoader.parse("faults.toml", BlockReads.CONFIG, w -> {}));
    containerd =
        ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
    BlockReads.indexAndPull(
        containerd,
        tmp.resolve("soci-cli"),
        registry.hostPort() + "/it/faults:v1",
        ref,
        daemon::logText);
    // what a container start costs here without any registry traffic: the bounds below add it
    long t0 = System.nanoTime();
    containerd.ctr("run", "--rm", "--snapshotter", "soci", ref, "noop", "true").check();
    containerOverheadSec = (System.nanoTime() - t0) / 1e9;
  }

  @AfterEach
  void clearFaults() {
    proxy.clear();
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, proxy, registry);
  }

  static Reading read(int f) throws Exception {
    return reads.read(f);
  }

  /** A file no container has read yet, so its spans are fetched now. */
  static int freshFile() {
    int f = nextFile.getAndIncrement();
    assertThat(f).as("files left for the fault cases").isLessThan(BlockReads.FILES);
    return f;
  }

  /** After the fault is cleared the same file reads whole and right. */
  static void recovers(int f) throws Exception {
    proxy.clear();
    Reading r = read(f);
    assertThat(r.complete())
        .as("file %d reads once the fault is gone: %s\n%s", f, r, BlockReads.tail(daemon.logText()))
        .isTrue();
  }

  @Test
  void aConnectionDroppedMidBodyIsRetried() throws Exception {
    int f = freshFile();
    proxy.on("GET", blobPath).times(1).fault(Fault.drop(100_000));
    Reading r = read(f);
    assertThat(r.complete()).as("%s\n%s", r, daemon.logText()).isTrue();
    assertThat(proxy.faulted()).isPositive();
    recovers(f);
  }

  @Test
  void aResetConnectionIsRetried() throws Exception {
    int f = freshFile();
    proxy.on("GET", blobPath).times(2).fault(Fault.reset(50_000));
    Reading r = read(f);
    assertThat(r.complete()).as("%s\n%s", r, daemon.logText()).isTrue();
    recovers(f);
  }

  @Test
  void aTruncatedBodyWithItsFullContentLengthIsRetried() throws Exception {
    int f = freshFile();
    proxy.on("GET", blobPath).times(1).fault(Fault.truncate(100_000));
    Reading r = read(f);
    assertThat(r.complete()).as("%s\n%s", r, daemon.logText()).isTrue();
    recovers(f);
  }

  @Test
  void flippedBytesAreNeverServed() throws Exception {
    int f = freshFile();
    // every answer has one wrong byte: the span's digest never matches
    proxy.on("GET", blobPath).fault(Fault.flipEvery(1_000, 100_000));
    Reading r = read(f);
    assertThat(r.error()).as("%s", r).isNotNull();
    assertThat(r.seconds()).isLessThan(BlockReads.FETCH_TIMEOUT_SEC + 5 + containerOverheadSec);
    assertThat(daemon.logText()).contains("failed verification twice");
    recovers(f);
  }

  @Test
  void serverErrorsAreRetriedThenEio() throws Exception {
    int f = freshFile();
    proxy.on("GET", blobPath).fault(Fault.status(503));
    Reading r = read(f);
    assertThat(r.error()).as("%s", r).isNotNull();
    assertThat(r.seconds()).isLessThan(BlockReads.FETCH_TIMEOUT_SEC + 5 + containerOverheadSec);
    // the first attempt and the [blob] max_retries (8) retries
    assertThat(proxy.requests(blobPath)).isGreaterThanOrEqualTo(9);
    recovers(f);
  }

  @Test
  void retryAfterOfA429IsHonoured() throws Exception {
    int f = freshFile();
    Instant from = Instant.now();
    proxy.on("GET", blobPath).times(2).fault(Fault.status(429, 2));
    Reading r = read(f);
    assertThat(r.complete()).as("%s\n%s", r, daemon.logText()).isTrue();
    List<Instant> at =
        proxy.arrivals("GET", blobPath).stream().filter(t -> !t.isBefore(from)).toList();
    assertThat(at.size()).isGreaterThanOrEqualTo(3);
    // the two throttled answers each asked for 2 s; the backoff alone would wait 30 and 60 ms
    assertThat(Duration.between(at.get(0), at.get(1)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1950));
    assertThat(Duration.between(at.get(1), at.get(2)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1950));
    recovers(f);
  }

  @Test
  void aSlowRegistryStillServesTheRightBytes() throws Exception {
    int f = freshFile();
    proxy.on("GET", blobPath).fault(Fault.slow(512 * 1024));
    Reading r = read(f);
    assertThat(r.complete()).as("%s\n%s", r, daemon.logText()).isTrue();
    // a MiB and its span's neighbours at 512 KiB/s: the rate was applied
    assertThat(r.seconds()).isGreaterThan(1.5);
    recovers(f);
  }

  @Test
  void aStalledBodyGivesEioWithinTheFetchingTimeout() throws Exception {
    int f = freshFile();
    proxy.on("GET", blobPath).fault(Fault.stallUntilCleared(20_000));
    Reading r = read(f);
    assertThat(r.error()).as("%s", r).isNotNull();
    assertThat(r.blocks()).isEmpty();
    System.out.printf(
        "stall: EIO after %.1f s (fetching_timeout_sec %d, container start %.1f s)%n",
        r.seconds(), BlockReads.FETCH_TIMEOUT_SEC, containerOverheadSec);
    assertThat(r.seconds()).isLessThan(BlockReads.FETCH_TIMEOUT_SEC + 5 + containerOverheadSec);
    assertThat(r.seconds()).isGreaterThan(BlockReads.FETCH_TIMEOUT_SEC - 1);
    // the timed-out read was logged with its cause
    assertThat(daemon.logText())
        .contains("\"event\":\"span-fetch-failed\"")
        .contains("timed out after 10 s");
    recovers(f);
  }
}
