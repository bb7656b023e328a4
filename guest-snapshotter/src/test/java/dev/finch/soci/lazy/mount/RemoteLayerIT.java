package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.fs.LayerNode;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.registry.RetryPolicy;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.spi.PluginConfig;
import dev.finch.soci.ztoc.CompressionInfo;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocBuilder;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.TarLayer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The span manager against a real distribution registry: only the spans a read touches are fetched,
 * cached spans come from disk (also after a restart without a registry), the cache bound holds, a
 * span that fails its digest is never served, concurrent readers share one fetch, a replay
 * (prefetch) fetches exactly the listed spans in the background and reads during it join its
 * fetches, reads are recorded in first-read order, and the background fetcher fills the rest while
 * staying quiet during the silence period and while a container read waits.
 */
class RemoteLayerIT {
  static final int SPAN = 64 << 10;
  static final int SIZE = 1 << 20;
  static final long SEED = 42;
  static final String REPO = "it/span";

  @TempDir static Path tmp;
  static RegistryFixture registry;
  static RegistryClient client;
  static Digest digest;
  static Ztoc ztoc;
  static LayerNode.RegularFile big;
  static byte[] expected;
  int stores;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryFixture.builder().start();
    TarLayer layer =
        TarLayer.builder()
            .dir("data")
            .file("data/small.txt", "hello\n")
            .randomFile("data/big.bin", SIZE, SEED)
            .build();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      layer.writeTar(out);
    }
    byte[] blob = gz.toByteArray();
    digest = Digest.sha256(blob);
    client = RegistryClient.builder(registry.hostPort()).plainHttp(true).build();
    client.pushBlob(REPO, digest, blob);
    ztoc =
        new ZtocBuilder(SPAN)
            .build(new ByteArrayInputStream(blob), MediaTypes.Compression.GZIP, digest)
            .ztoc();
    assertThat(ztoc.compressionInfo().maxSpanId())
        .as("enough spans to test with")
        .isGreaterThan(12);
    big =
        (LayerNode.RegularFile)
            LayerTree.build(ZtocLayers.entries(ztoc)).resolve("data/big.bin").orElseThrow();
    expected = TarLayer.randomBytes(SEED, SIZE);
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  SpanStore store(long max) throws IOException {
    return SpanStore.open(tmp.resolve("store-" + (stores++) + "-" + System.nanoTime()), max);
  }

  // without read-ahead, as most tests count exactly what a read fetches
  static RemoteLayer layer(SpanStore store, RemoteLayer.DemandListener demand) throws IOException {
    return new RemoteLayer(client, REPO, digest, ztoc, store, demand).withoutReadAhead();
  }

  static byte[] read(RemoteLayer l, long offset, int len) throws IOException {
    ByteBuffer dst = ByteBuffer.allocate(len);
    while (dst.hasRemaining()) {
      l.read(big, offset + dst.position(), dst);
    }
    return dst.array();
  }

  static byte[] want(long offset, int len) {
    return Arrays.copyOfRange(expected, (int) offset, (int) offset + len);
  }

  @Test
  void fetchesOnlyTheSpansAReadTouchesThenServesThemFromDisk() throws Exception {
    SpanStore store = store(0);
    RemoteLayer l = layer(store, RemoteLayer.DemandListener.NONE);
    long served0 = registry.blobBytesServed(digest.hex());
    assertThat(read(l, 300_000, 100_000)).isEqualTo(want(300_000, 100_000));
    long fetched = l.fetchedBytes();
    assertThat(fetched)
        .as("at most three 64 KiB spans of random data for a 100 kB read")
        .isBetween(100_000L, 3L * (SPAN + 1024));
    assertThat(registry.blobBytesServed(digest.hex()) - served0).isEqualTo(fetched);
    assertThat(l.syncFetches()).as("adjacent missing spans in one request").isEqualTo(1);
    assertThat(read(l, 300_000, 100_000)).isEqualTo(want(300_000, 100_000));
    assertThat(l.fetchedBytes()).as("second read from the disk cache").isEqualTo(fetched);
    assertThat(store.spans()).isBetween(2, 3);
  }

  @Test
  void oneRunAcrossSpansThatShareAByteIsVerifiedWithoutRefetching() throws Exception {
    // Text compresses into Huffman blocks that end inside a byte (random data gives byte-aligned
    // stored blocks): the span after such a checkpoint starts at the byte the span before ends
    // with.
    java.util.Random r = new java.util.Random(11);
    String[] words = {
      "lazy", "span", "layer", "zTOC", "gzip", "checkpoint", "window", "fetch", "verify", "mount"
    };
    StringBuilder text = new StringBuilder();
    while (text.length() < SIZE) {
      text.append(words[r.nextInt(words.length)])
          .append(r.nextInt(1000))
          .append(r.nextInt(7) == 0 ? '\n' : ' ');
    }
    byte[] content = text.substring(0, SIZE).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      TarLayer.builder().dir("data").file("data/text.txt", content).build().writeTar(out);
    }
    byte[] blob = gz.toByteArray();
    Digest d = Digest.sha256(blob);
    client.pushBlob(REPO, d, blob);
    Ztoc z =
        new ZtocBuilder(16 << 10)
            .build(new ByteArrayInputStream(blob), MediaTypes.Compression.GZIP, d)
            .ztoc();
    var zinfo = (dev.finch.soci.ztoc.compression.GzipZinfo) z.compressionInfo().zinfo();
    assertThat(zinfo.checkpoints()).as("checkpoints inside a byte").anyMatch(c -> c.bits() != 0);
    LayerNode.RegularFile file =
        (LayerNode.RegularFile)
            LayerTree.build(ZtocLayers.entries(z)).resolve("data/text.txt").orElseThrow();

    RemoteLayer l =
        new RemoteLayer(client, REPO, d, z, store(0), RemoteLayer.DemandListener.NONE)
            .withoutReadAhead();
    ByteBuffer all = ByteBuffer.allocate(SIZE);
    l.read(file, 0, all); // one read: one Range request for every span of the file
    assertThat(all.array()).isEqualTo(content);
    assertThat(l.syncFetches()).isEqualTo(1);
    assertThat(l.verifyFailures()).as("every span read from its own first byte").isZero();
    int first = zinfo.spanIdForUncompressedOffset(file.uncompressedOffset());
    int last = zinfo.spanIdForUncompressedOffset(file.uncompressedOffset() + SIZE - 1);
    assertThat(l.fetchedBytes())
        .as("one request, nothing fetched twice")
        .isEqualTo(
            zinfo.endCompressedOffset(last, z.compressedArchiveSize())
                - zinfo.startCompressedOffset(first));
  }

  @Test
  void restartedDaemonServesCachedSpansWithoutTheRegistry() throws Exception {
    Path dir = tmp.resolve("restart");
    RemoteLayer first = layer(SpanStore.open(dir, 0), RemoteLayer.DemandListener.NONE);
    assertThat(read(first, 10_000, 50_000)).isEqualTo(want(10_000, 50_000));
    RegistryClient dead =
        RegistryClient.builder("127.0.0.1:1")
            .plainHttp(true)
            .retryPolicy(new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)))
            .connectTimeout(Duration.ofMillis(500))
            .build();
    RemoteLayer again =
        new RemoteLayer(
            dead, REPO, digest, ztoc, SpanStore.open(dir, 0), RemoteLayer.DemandListener.NONE);
    assertThat(read(again, 10_000, 50_000)).isEqualTo(want(10_000, 50_000));
    assertThat(again.fetchedBytes()).isZero();
    assertThatThrownBy(() -> read(again, 900_000, 1000)).isInstanceOf(IOException.class);
  }

  @Test
  void boundedCacheStaysWithinItsBoundAndRefetchesWhatItEvicted() throws Exception {
    SpanStore store = store(5L * SPAN);
    RemoteLayer l = layer(store, RemoteLayer.DemandListener.NONE);
    for (int off = 0; off < SIZE; off += 128 << 10) {
      assertThat(read(l, off, 128 << 10)).isEqualTo(want(off, 128 << 10));
      assertThat(store.bytes()).isLessThanOrEqualTo(5L * SPAN);
    }
    assertThat(store.evictions()).isPositive();
    long before = l.fetchedBytes();
    assertThat(read(l, 0, 1000)).isEqualTo(want(0, 1000));
    assertThat(l.fetchedBytes()).as("evicted span fetched again").isGreaterThan(before);
  }

  @Test
  void cacheTooSmallForOneReadIsAClearError() throws Exception {
    RemoteLayer l = layer(store(SPAN), RemoteLayer.DemandListener.NONE);
    assertThatThrownBy(() -> read(l, 100_000, 200_000))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("[cache] max_bytes is too small for one read");
    assertThat(read(l, 100_000, 1000))
        .as("a read within one span still works")
        .isEqualTo(want(100_000, 1000));
  }

  @Test
  void spanFailingItsDigestIsNeverServedNorCached() throws Exception {
    int bad = spanOf(400_000);
    List<Digest> digests = new ArrayList<>(ztoc.compressionInfo().spanDigests());
    digests.set(bad, Digest.sha256(new byte[] {1}));
    CompressionInfo ci = ztoc.compressionInfo();
    Ztoc wrong =
        new Ztoc(
            ztoc.version(),
            ztoc.buildToolIdentifier(),
            ztoc.compressedArchiveSize(),
            ztoc.uncompressedArchiveSize(),
            ztoc.toc(),
            new CompressionInfo(ci.algorithm(), ci.maxSpanId(), digests, ci.checkpoints()));
    SpanStore store = store(0);
    RemoteLayer l =
        new RemoteLayer(client, REPO, digest, wrong, store, RemoteLayer.DemandListener.NONE)
            .withoutReadAhead();
    assertThatThrownBy(() -> read(l, 400_000, 10))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("failed verification twice");
    assertThat(l.verifyFailures()).isEqualTo(2);
    assertThat(store.contains(digest.hex(), bad)).isFalse();
    assertThat(read(l, 0, 1000)).as("other spans still read").isEqualTo(want(0, 1000));
  }

  @Test
  void concurrentReadersOfOneRangeShareOneFetch() throws Exception {
    RemoteLayer l = layer(store(0), RemoteLayer.DemandListener.NONE);
    int readers = 16;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(readers);
    try {
      List<Future<byte[]>> results = new ArrayList<>();
      for (int i = 0; i < readers; i++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return read(l, 500_000, 200_000);
                }));
      }
      go.countDown();
      for (Future<byte[]> f : results) {
        assertThat(f.get()).isEqualTo(want(500_000, 200_000));
      }
    } finally {
      pool.shutdownNow();
    }
    RemoteLayer alone = layer(store(0), RemoteLayer.DemandListener.NONE);
    read(alone, 500_000, 200_000);
    assertThat(l.fetchedBytes())
        .as("16 readers fetch what one reader fetches")
        .isEqualTo(alone.fetchedBytes());
  }

  @Test
  void replayFetchesExactlyTheListedSpansInTheBackground() throws Exception {
    SpanStore store = store(0);
    RemoteLayer l = layer(store, RemoteLayer.DemandListener.NONE);
    long served0 = registry.blobBytesServed(digest.hex());
    RemoteLayer.Replay r = l.replay(new int[] {9, 2, 3, 4}, 2).get(30, TimeUnit.SECONDS);
    assertThat(r.listed()).isEqualTo(4);
    assertThat(r.fetched()).isEqualTo(4);
    assertThat(r.failed()).isZero();
    assertThat(store.spans()).isEqualTo(4);
    for (int s : new int[] {2, 3, 4, 9}) {
      assertThat(store.contains(digest.hex(), s)).as("span %d", s).isTrue();
    }
    assertThat(l.syncFetches()).as("a replay is not a container read").isZero();
    assertThat(registry.blobBytesServed(digest.hex()) - served0)
        .as("only the listed spans' bytes")
        .isEqualTo(l.fetchedBytes());
    assertThat(l.replay(new int[] {2, 3}, 2).get(30, TimeUnit.SECONDS).fetched())
        .as("already cached")
        .isZero();
  }

  @Test
  void readsDuringAReplayJoinItsFetchesAndNoSpanIsFetchedTwice() throws Exception {
    SpanStore store = store(0);
    RemoteLayer l = layer(store, RemoteLayer.DemandListener.NONE);
    int[] all = new int[l.spanCount()];
    Arrays.setAll(all, i -> i);
    var replay = l.replay(all, 1);
    assertThat(read(l, 0, SIZE)).isEqualTo(want(0, SIZE));
    RemoteLayer.Replay r = replay.get(30, TimeUnit.SECONDS);
    assertThat(r.failed()).isZero();
    assertThat(store.spans()).isEqualTo(l.spanCount());
    assertThat(l.fetchedBytes())
        .as("each span once (adjacent spans may share one byte)")
        .isLessThanOrEqualTo(ztoc.compressedArchiveSize() + l.spanCount());
  }

  @Test
  void readsAreRecordedInFirstReadOrder() throws Exception {
    ReadRecorder rec = new ReadRecorder(digest, ztoc.uncompressedArchiveSize());
    RemoteLayer l =
        new RemoteLayer(
                client,
                REPO,
                digest,
                ztoc,
                store(0),
                RemoteLayer.DemandListener.NONE,
                EventSink.discard(),
                rec,
                RemoteLayer.Windows.NONE)
            .withoutReadAhead();
    read(l, 500_000, 10_000);
    read(l, 100_000, 10_000);
    read(l, 500_000, 10_000); // read again: not recorded again
    long base = big.uncompressedOffset();
    List<dev.finch.soci.index.ReadRecord.Range> ranges = rec.snapshot().ranges();
    assertThat(ranges).hasSize(2);
    assertThat(ranges.get(0).offset()).isLessThanOrEqualTo(base + 500_000);
    assertThat(ranges.get(0).end()).isGreaterThanOrEqualTo(base + 510_000);
    assertThat(ranges.get(1).offset()).isLessThanOrEqualTo(base + 100_000);
    assertThat(ranges.get(1).end()).isGreaterThanOrEqualTo(base + 110_000);
    assertThat(ranges.get(1).end()).isLessThan(base + 500_000);
  }

  @Test
  void backgroundFetcherFillsEverySpanThenReadsNeedNoRegistry() throws Exception {
    SpanStore store = store(0);
    try (BackgroundFetcher bg =
        new BackgroundFetcher(
            new PluginConfig.BackgroundFetch(false, 1, 0, -1), EventSink.discard())) {
      RemoteLayer l = layer(store, bg);
      bg.add(l);
      waitFor(() -> store.spans() == l.spanCount(), Duration.ofSeconds(30));
      assertThat(bg.spansFetched.get()).isEqualTo(l.spanCount());
      assertThat(read(l, 0, SIZE)).isEqualTo(expected);
      assertThat(l.syncFetches()).isZero();
      waitFor(() -> bg.queued() == 0, Duration.ofSeconds(5));
    }
  }

  @Test
  void backgroundFetcherStaysQuietDuringTheSilencePeriod() throws Exception {
    SpanStore store = store(0);
    try (BackgroundFetcher bg =
        new BackgroundFetcher(
            new PluginConfig.BackgroundFetch(false, 1, 60_000, -1), EventSink.discard())) {
      bg.add(layer(store, bg));
      Thread.sleep(500);
      assertThat(store.spans()).isZero();
    }
  }

  @Test
  void backgroundFetcherYieldsWhileAContainerReadWaits() throws Exception {
    SpanStore store = store(0);
    try (BackgroundFetcher bg =
        new BackgroundFetcher(
            new PluginConfig.BackgroundFetch(false, 1, 0, -1), EventSink.discard())) {
      RemoteLayer l = layer(store, bg);
      bg.demandStarted();
      bg.add(l);
      Thread.sleep(500);
      assertThat(store.spans()).as("nothing fetched while a read waits").isZero();
      bg.demandEnded();
      waitFor(() -> store.spans() == l.spanCount(), Duration.ofSeconds(30));
    }
  }

  @Test
  void fullQueueDropsTheNewLayerAndDisabledFetcherDoesNothing() throws Exception {
    SpanStore store = store(0);
    try (BackgroundFetcher full =
            new BackgroundFetcher(
                new PluginConfig.BackgroundFetch(false, 1, 0, 0), EventSink.discard());
        BackgroundFetcher off =
            new BackgroundFetcher(
                new PluginConfig.BackgroundFetch(true, 1, 0, -1), EventSink.discard())) {
      full.add(layer(store, full));
      off.add(layer(store, off));
      Thread.sleep(300);
      assertThat(full.dropped.get()).isEqualTo(1);
      assertThat(off.queued()).isZero();
      assertThat(store.spans()).isZero();
    }
  }

  static int spanOf(long uncompressedOffsetInFile) throws Exception {
    var z =
        dev.finch.soci.ztoc.compression.Zinfo.of(
            ztoc.compressionInfo().algorithm(), ztoc.compressionInfo().checkpoints());
    return z.spanIdForUncompressedOffset(big.uncompressedOffset() + uncompressedOffsetInFile);
  }

  static void waitFor(java.util.function.BooleanSupplier cond, Duration limit)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!cond.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within " + limit).isLessThan(end);
      Thread.sleep(20);
    }
  }

  // the spans a read of big.bin's [offset, offset + len) inflates
  static int[] spansOf(Ztoc z, long offset, int len) throws Exception {
    var zi = z.compressionInfo().zinfo();
    long start = big.uncompressedOffset() + offset;
    return java.util.stream.IntStream.rangeClosed(
            zi.spanIdForUncompressedOffset(start), zi.spanIdForUncompressedOffset(start + len - 1))
        .toArray();
  }

  // the zTOC a skeleton describes, written with its windows left out
  static Path sparseFile(dev.finch.soci.ztoc.ZtocSkeleton sk, String name) throws IOException {
    Path file = tmp.resolve(name + System.nanoTime());
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            file,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE)) {
      sk.writeSparse(ch);
    }
    return file;
  }

  // a span manager of the layer whose windows come from {@code windows}, on a fresh span cache
  RemoteLayer lazyWindows(Ztoc z, ZtocWindows windows) throws IOException {
    return lazyWindows(client, z, windows);
  }

  // the same, its spans and windows fetched through {@code c}
  RemoteLayer lazyWindows(RegistryClient c, Ztoc z, ZtocWindows windows) throws IOException {
    return new RemoteLayer(
            c,
            REPO,
            digest,
            z,
            store(0),
            RemoteLayer.DemandListener.NONE,
            EventSink.discard(),
            ReadRecorder.OFF,
            windows)
        .withoutReadAhead();
  }

  @Test
  void aZtocFetchedAsItsSkeletonFetchesOnlyTheWindowsOfTheSpansReadAndChecksThem()
      throws Exception {
    byte[] whole = dev.finch.soci.ztoc.ZtocCodec.encode(ztoc);
    Digest zd = Digest.sha256(whole);
    client.pushBlob(REPO, zd, whole);
    dev.finch.soci.ztoc.ZtocSkeleton sk = dev.finch.soci.ztoc.ZtocSkeleton.of(whole);
    Path file = sparseFile(sk, "sparse-");
    Ztoc sparse = dev.finch.soci.ztoc.ZtocCodec.decode(java.nio.file.Files.readAllBytes(file));
    int w = dev.finch.soci.ztoc.compression.GzipCheckpoint.WINDOW_SIZE;
    int[] spans = spansOf(sparse, 500_000, 100_000);
    long before = registry.blobBytesServed(zd.hex());
    try (ZtocWindows windows = new ZtocWindows(sk, file, true)) {
      RemoteLayer l =
          lazyWindows(
              dev.finch.soci.ztoc.ZtocCodec.decode(
                  java.nio.channels.FileChannel.open(file)
                      .map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, whole.length)),
              windows);
      assertThat(read(l, 500_000, 100_000)).isEqualTo(want(500_000, 100_000));
      long served = registry.blobBytesServed(zd.hex()) - before;
      // the windows of those spans, in one request with the 17 bytes between each two
      assertThat(served)
          .as("zTOC bytes for spans %s", Arrays.toString(spans))
          .isEqualTo((long) spans.length * w + (spans.length - 1) * 17L)
          .isLessThan(whole.length / 4);
      assertThat(windows.fetchedBytes()).isEqualTo(served);
      assertThat(read(l, 510_000, 10_000)).isEqualTo(want(510_000, 10_000));
      assertThat(registry.blobBytesServed(zd.hex()) - before).isEqualTo(served);
    }
    long afterFirst = registry.blobBytesServed(zd.hex());
    // a restarted daemon finds those windows in the file; it fetches the others
    try (ZtocWindows windows = new ZtocWindows(sk, file, false)) {
      RemoteLayer l = lazyWindows(sparse, windows);
      assertThat(read(l, 500_000, 100_000)).isEqualTo(want(500_000, 100_000));
      assertThat(registry.blobBytesServed(zd.hex())).isEqualTo(afterFirst);
      assertThat(read(l, 0, 1000)).isEqualTo(want(0, 1000));
      assertThat(windows.fetchedBytes()).isLessThanOrEqualTo(w);
    }
    // a window whose bytes are not the skeleton's is never used: the read fails
    List<dev.finch.soci.ztoc.ZtocSkeleton.Hole> lying = new ArrayList<>();
    for (dev.finch.soci.ztoc.ZtocSkeleton.Hole h : sk.holes()) {
      lying.add(new dev.finch.soci.ztoc.ZtocSkeleton.Hole(h.spanId(), h.offset(), zd));
    }
    dev.finch.soci.ztoc.ZtocSkeleton bad =
        new dev.finch.soci.ztoc.ZtocSkeleton(sk.ztoc(), sk.ztocSize(), lying, sk.rest());
    Path badFile = sparseFile(bad, "sparse-bad-");
    try (ZtocWindows windows = new ZtocWindows(bad, badFile, true)) {
      RemoteLayer l = lazyWindows(sparse, windows);
      assertThatThrownBy(() -> read(l, 700_000, 1000))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("does not match the skeleton's digest");
    }
  }

  @Test
  void aStoppedLayerReplaysNothingButStillServesReads() throws Exception {
    RemoteLayer l = layer(store(0), RemoteLayer.DemandListener.NONE);
    long before = registry.blobBytesServed(digest.hex());
    l.stop(); // as an unmount does
    RemoteLayer.Replay r = l.replay(new int[] {3, 4, 5, 9}, 2).get(30, TimeUnit.SECONDS);
    assertThat(r.fetched()).isZero();
    assertThat(r.stopped()).isTrue();
    assertThat(registry.blobBytesServed(digest.hex())).isEqualTo(before);
    assertThat(read(l, 200_000, 5000)).isEqualTo(want(200_000, 5000));
  }

  static java.util.concurrent.Callable<Void> ensuring(
      ZtocWindows windows, RegistryClient c, int span) {
    return () -> {
      windows.ensure(c, REPO, span, span);
      return null;
    };
  }

  @Test
  void windowsOfDifferentSpansAreFetchedAtOnceAndOneWindowOnce() throws Exception {
    byte[] whole = dev.finch.soci.ztoc.ZtocCodec.encode(ztoc);
    Digest zd = Digest.sha256(whole);
    client.pushBlob(REPO, zd, whole);
    dev.finch.soci.ztoc.ZtocSkeleton sk = dev.finch.soci.ztoc.ZtocSkeleton.of(whole);
    Path file = sparseFile(sk, "sparse-concurrent-");
    String path = "/v2/" + REPO + "/blobs/" + zd;
    try (dev.finch.testkit.FaultProxy proxy = dev.finch.testkit.FaultProxy.inFrontOf(registry);
        ZtocWindows windows = new ZtocWindows(sk, file, true)) {
      RegistryClient viaProxy = RegistryClient.builder(proxy.hostPort()).plainHttp(true).build();
      dev.finch.testkit.FaultProxy.Rule held =
          proxy
              .on("GET", java.util.regex.Pattern.quote(path))
              .fault(dev.finch.testkit.FaultProxy.Fault.stallUntilCleared(0));
      ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
      Future<?> a = pool.submit(ensuring(windows, viaProxy, 3));
      waitFor(
          () -> proxy.requests(java.util.regex.Pattern.quote(path)) == 1, Duration.ofSeconds(10));
      // span 9's window while span 3's is held: its own request, not a wait behind span 3's
      Future<?> b = pool.submit(ensuring(windows, viaProxy, 9));
      waitFor(
          () -> proxy.requests(java.util.regex.Pattern.quote(path)) == 2, Duration.ofSeconds(10));
      // span 3's window again: no request, it waits for the one under way
      Future<?> c = pool.submit(ensuring(windows, viaProxy, 3));
      Thread.sleep(300);
      assertThat(proxy.requests(java.util.regex.Pattern.quote(path))).isEqualTo(2);
      assertThat(c.isDone()).isFalse();
      held.remove();
      a.get(30, TimeUnit.SECONDS);
      b.get(30, TimeUnit.SECONDS);
      c.get(30, TimeUnit.SECONDS);
      pool.close();
      assertThat(proxy.requests(java.util.regex.Pattern.quote(path))).isEqualTo(2);
      assertThat(windows.fetchedBytes())
          .isEqualTo(2L * dev.finch.soci.ztoc.compression.GzipCheckpoint.WINDOW_SIZE);
      RemoteLayer l =
          lazyWindows(
              dev.finch.soci.ztoc.ZtocCodec.decode(java.nio.file.Files.readAllBytes(file)),
              windows);
      assertThat(read(l, 0, 1000)).isEqualTo(want(0, 1000));
    }
  }

  // the layer's zTOC, pushed, as its skeleton's sparse file and the skeleton itself
  record Sparse(Digest ztoc, dev.finch.soci.ztoc.ZtocSkeleton skeleton, Path file, Ztoc parsed) {}

  static Sparse sparse(String name) throws Exception {
    byte[] whole = dev.finch.soci.ztoc.ZtocCodec.encode(ztoc);
    Digest zd = Digest.sha256(whole);
    client.pushBlob(REPO, zd, whole);
    dev.finch.soci.ztoc.ZtocSkeleton sk = dev.finch.soci.ztoc.ZtocSkeleton.of(whole);
    Path file = sparseFile(sk, name);
    return new Sparse(
        zd, sk, file, dev.finch.soci.ztoc.ZtocCodec.decode(java.nio.file.Files.readAllBytes(file)));
  }

  @Test
  void windowsFetchedAheadComeInOneRequestAndLeaveReadsOnlyTheirSpans() throws Exception {
    Sparse sp = sparse("sparse-ahead-");
    int w = dev.finch.soci.ztoc.compression.GzipCheckpoint.WINDOW_SIZE;
    long all = (long) sp.skeleton().holes().size() * w;
    long before = registry.blobBytesServed(sp.ztoc().hex());
    try (ZtocWindows windows = new ZtocWindows(sp.skeleton(), sp.file(), true)) {
      assertThat(windows.leftOutBytes()).isEqualTo(all);
      RemoteLayer l = lazyWindows(sp.parsed(), windows);
      assertThat(l.fetchWindowsAhead(all)).isTrue();
      long withGaps = all + (sp.skeleton().holes().size() - 1) * 17L;
      waitFor(() -> windows.fetchedBytes() == withGaps, Duration.ofSeconds(30));
      // one request: every window and the 17 bytes between each two
      assertThat(registry.blobBytesServed(sp.ztoc().hex()) - before).isEqualTo(withGaps);
      long zBefore = registry.blobBytesServed(sp.ztoc().hex());
      assertThat(read(l, 500_000, 100_000)).isEqualTo(want(500_000, 100_000));
      assertThat(registry.blobBytesServed(sp.ztoc().hex()))
          .as("the read needed no window request")
          .isEqualTo(zBefore);
    }
    // a whole zTOC has nothing to fetch ahead
    assertThat(layer(store(0), RemoteLayer.DemandListener.NONE).fetchWindowsAhead(Long.MAX_VALUE))
        .isFalse();
  }

  @Test
  void manyWindowsAheadWaitWhileAContainerReadWaitsThenComeAFewSpansAtATime() throws Exception {
    Sparse sp = sparse("sparse-ahead-yield-");
    int w = dev.finch.soci.ztoc.compression.GzipCheckpoint.WINDOW_SIZE;
    long all = (long) sp.skeleton().holes().size() * w;
    String layerPath = java.util.regex.Pattern.quote("/v2/" + REPO + "/blobs/" + digest);
    String ztocPath = java.util.regex.Pattern.quote("/v2/" + REPO + "/blobs/" + sp.ztoc());
    try (dev.finch.testkit.FaultProxy proxy = dev.finch.testkit.FaultProxy.inFrontOf(registry);
        ZtocWindows windows = new ZtocWindows(sp.skeleton(), sp.file(), true)) {
      RegistryClient viaProxy = RegistryClient.builder(proxy.hostPort()).plainHttp(true).build();
      RemoteLayer l = lazyWindows(viaProxy, sp.parsed(), windows);
      dev.finch.testkit.FaultProxy.Rule held =
          proxy.on("GET", layerPath).fault(dev.finch.testkit.FaultProxy.Fault.stallUntilCleared(0));
      ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
      // a container read of span 0 (whose window is the empty first one) waits on the registry
      Future<byte[]> reading = pool.submit(() -> read(l, 0, 1000));
      waitFor(() -> proxy.requests(layerPath) == 1, Duration.ofSeconds(10));
      assertThat(l.fetchWindowsAhead(0)).isTrue();
      Thread.sleep(300);
      assertThat(proxy.requests(ztocPath)).as("no window request while the read waits").isZero();
      held.remove();
      assertThat(reading.get(30, TimeUnit.SECONDS)).isEqualTo(want(0, 1000));
      // each request: its windows and the 17 bytes between each two of them
      waitFor(() -> windows.fetchedBytes() >= all, Duration.ofSeconds(30));
      Thread.sleep(200);
      int spans = sp.parsed().compressionInfo().maxSpanId() + 1;
      assertThat(proxy.requests(ztocPath))
          .as(
              "%d spans' windows, %d spans' worth a request",
              spans, RemoteLayer.WINDOWS_AHEAD_SPANS)
          .isEqualTo(
              (spans + RemoteLayer.WINDOWS_AHEAD_SPANS - 1) / RemoteLayer.WINDOWS_AHEAD_SPANS);
      pool.close();
    }
  }

  @Test
  void aFileReadThroughHasItsNextSpanFetchedAheadButARandomReadDoesNot() throws Exception {
    RemoteLayer l =
        new RemoteLayer(client, REPO, digest, ztoc, store(0), RemoteLayer.DemandListener.NONE);
    var zi = ztoc.compressionInfo().zinfo();
    long base = big.uncompressedOffset();
    int s = zi.spanIdForUncompressedOffset(base + 200_000);
    // into the middle of the file, nothing before it read: no read-ahead
    assertThat(read(l, 200_000, 1000)).isEqualTo(want(200_000, 1000));
    assertThat(l.readAheads()).isZero();
    // the next span, right after the one just read: the file is being read through
    long next = zi.startUncompressedOffset(s + 1) - base;
    assertThat(read(l, next, 1000)).isEqualTo(want(next, 1000));
    assertThat(l.readAheads()).isEqualTo(1);
    waitFor(() -> fetchedSpan(l, s + 2), Duration.ofSeconds(30));
    long fetched = l.fetchedBytes();
    long syncFetches = l.syncFetches();
    long after = zi.startUncompressedOffset(s + 2) - base;
    assertThat(read(l, after, 1000)).isEqualTo(want(after, 1000));
    assertThat(l.fetchedBytes()).as("the span after was there already").isEqualTo(fetched);
    assertThat(l.syncFetches()).isEqualTo(syncFetches);
    assertThat(l.readAheads()).as("a read that did not wait reads nothing ahead").isEqualTo(1);
    // the file's last span, the one before it read: nothing after it belongs to the file
    int lastSpan = zi.spanIdForUncompressedOffset(base + SIZE - 1);
    RemoteLayer fresh =
        new RemoteLayer(client, REPO, digest, ztoc, store(0), RemoteLayer.DemandListener.NONE);
    long beforeLast = zi.startUncompressedOffset(lastSpan - 1) - base;
    long last = zi.startUncompressedOffset(lastSpan) - base;
    assertThat(read(fresh, beforeLast, 1000)).isEqualTo(want(beforeLast, 1000));
    assertThat(read(fresh, last, 1000)).isEqualTo(want(last, 1000));
    assertThat(fresh.readAheads()).isZero();
  }

  static boolean fetchedSpan(RemoteLayer l, int span) {
    ByteBuffer probe = ByteBuffer.allocate(1);
    try {
      long at =
          ztoc.compressionInfo().zinfo().startUncompressedOffset(span) - big.uncompressedOffset();
      return l.readIfLocal(big, at, probe);
    } catch (IOException e) {
      return false;
    }
  }
}
