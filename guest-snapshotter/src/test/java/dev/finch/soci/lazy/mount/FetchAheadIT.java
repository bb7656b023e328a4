package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.spi.PluginConfig;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fetches ahead of the container's reads, against a real registry: windows ahead come in one
 * request or, when many, a few spans at a time while no read waits; a file read through has its
 * next span fetched ahead, a random read does not.
 */
class FetchAheadIT extends RemoteLayerFixture {
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
        ZtocWindows windows = new ZtocWindows(sp.skeleton(), sp.file(), true);
        // the daemon's demand tracker (its fetcher off): what windows ahead ask whether to wait
        BackgroundFetcher demand =
            new BackgroundFetcher(
                new PluginConfig.BackgroundFetch(true, 1, 0, -1), EventSink.discard())) {
      RegistryClient viaProxy = RegistryClient.builder(proxy.hostPort()).plainHttp(true).build();
      RemoteLayer l = lazyWindows(viaProxy, sp.parsed(), windows, demand);
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
          .as("%d spans' windows, %d spans' worth a request", spans, FetchAhead.WINDOWS_AHEAD_SPANS)
          .isEqualTo((spans + FetchAhead.WINDOWS_AHEAD_SPANS - 1) / FetchAhead.WINDOWS_AHEAD_SPANS);
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
}
