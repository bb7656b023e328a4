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
import dev.finch.soci.ztoc.CompressionInfo;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocBuilder;
import dev.finch.testkit.image.TarLayer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The span manager against a real distribution registry: only the spans a read touches are fetched,
 * cached spans come from disk (also after a restart without a registry), the cache bound holds, a
 * span that fails its digest is never served, concurrent readers share one fetch, and reads are
 * recorded in first-read order.
 */
class RemoteLayerIT extends RemoteLayerFixture {
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
                CheckpointWindows.NONE)
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
}
