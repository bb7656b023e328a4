package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A replay (prefetch) against a real registry: it fetches exactly the listed spans in the
 * background, reads during it join its fetches, and a stopped layer replays nothing.
 */
class SpanReplayIT extends RemoteLayerFixture {
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
}
