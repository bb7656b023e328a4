package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.fs.LayerNode;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.TarLayer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the span manager's integration tests share: a real distribution registry holding one gzip
 * layer (a small file and a 1 MiB random file, {@value #SPAN}-byte spans), its zTOC, and span
 * managers of it on fresh span caches.
 */
abstract class RemoteLayerFixture {
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
    client = RegistryClient.builder(registry.hostPort()).plainHttp(true).build();
    PushedLayer pushed = PushedLayer.push(client, REPO, layer, SPAN);
    digest = pushed.digest();
    ztoc = pushed.ztoc();
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
    return lazyWindows(c, z, windows, RemoteLayer.DemandListener.NONE);
  }

  // the same, its container reads told to {@code demand}
  RemoteLayer lazyWindows(
      RegistryClient c, Ztoc z, ZtocWindows windows, RemoteLayer.DemandListener demand)
      throws IOException {
    return new RemoteLayer(
            c, REPO, digest, z, store(0), demand, EventSink.discard(), ReadRecorder.OFF, windows)
        .withoutReadAhead();
  }

  static java.util.concurrent.Callable<Void> ensuring(
      ZtocWindows windows, RegistryClient c, int span) {
    return () -> {
      windows.ensure(c, REPO, span, span);
      return null;
    };
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
