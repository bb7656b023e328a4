package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.spi.EventSink;
import dev.finch.soci.spi.PluginConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The background fetcher against a real registry: it fills every span, stays quiet during the
 * silence period and while a container read waits, and drops what a full queue cannot take.
 */
class BackgroundFetcherIT extends RemoteLayerFixture {
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
}
