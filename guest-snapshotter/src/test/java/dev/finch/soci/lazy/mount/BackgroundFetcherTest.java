package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.spi.EventSink;
import dev.finch.soci.spi.PluginConfig;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackgroundFetcherTest {
  @Test
  void theLinkIsIdleOnlyOnceNoReadWaitsAndTheLastOneEndedLongEnoughAgo() {
    AtomicLong now = new AtomicLong(1_000);
    // disabled: no fetcher thread, but the daemon's demand is still tracked
    try (BackgroundFetcher demand =
        new BackgroundFetcher(
            new PluginConfig.BackgroundFetch(true, 1, 0, -1), EventSink.discard(), now::get)) {
      now.addAndGet(50);
      assertThat(demand.idleFor(50)).as("nothing read since the daemon started").isTrue();
      demand.demandStarted();
      demand.demandStarted();
      now.addAndGet(1_000);
      assertThat(demand.idleFor(10)).as("two reads wait").isFalse();
      demand.demandEnded();
      now.addAndGet(1_000);
      assertThat(demand.idleFor(10)).as("one read still waits").isFalse();
      demand.demandEnded();
      now.addAndGet(9);
      assertThat(demand.idleFor(10)).as("the last read ended 9 ns ago").isFalse();
      now.addAndGet(1);
      assertThat(demand.idleFor(10)).isTrue();
    }
  }
}
