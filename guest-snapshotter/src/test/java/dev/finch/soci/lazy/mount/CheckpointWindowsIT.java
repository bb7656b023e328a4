package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.ztoc.Ztoc;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A zTOC fetched as its skeleton, against a real registry: only the windows of the spans read are
 * fetched and checked, windows of different spans come in one request, and one window once.
 */
class CheckpointWindowsIT extends RemoteLayerFixture {
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
}
