package dev.finch.soci.lazy.mount;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A prefetch artifact's spans fetched in the background, in priority order, without holding up the
 * mount or the container's reads ({@link RemoteLayer#replay}).
 */
final class SpanReplay {
  private SpanReplay() {}

  /**
   * Cuts {@code spanIds} into runs of consecutive ids (each one Range request of at most {@link
   * RemoteLayer#MAX_RUN_BYTES}), taken in order by {@code connections} virtual threads: the first
   * runs are fetched first, in parallel. A span already cached or being fetched (a container read
   * got there first) is skipped; a container read of a span the replay is fetching waits for that
   * fetch (single flight). A failed run costs only its spans, which are then fetched on demand.
   * Once the layer is {@linkplain RemoteLayer#stop stopped}, no further run is started.
   */
  static CompletableFuture<RemoteLayer.Replay> start(
      RemoteLayer layer, int[] spanIds, int connections) {
    long t0 = System.nanoTime();
    ConcurrentLinkedQueue<List<Integer>> queue = new ConcurrentLinkedQueue<>(layer.runsOf(spanIds));
    int workers = Math.max(1, Math.min(connections, queue.size()));
    AtomicInteger fetched = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      CompletableFuture<Void> d = new CompletableFuture<>();
      done.add(d);
      Thread.ofVirtual()
          .name("soci-prefetch-", w)
          .start(
              () -> {
                try {
                  List<Integer> run;
                  while (!layer.stopped() && (run = queue.poll()) != null) {
                    int[] r = layer.fetchUnclaimed(run);
                    fetched.addAndGet(r[0]);
                    failed.addAndGet(r[1]);
                  }
                } finally {
                  d.complete(null);
                }
              });
    }
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
        .thenApply(
            v ->
                new RemoteLayer.Replay(
                    spanIds.length,
                    fetched.get(),
                    failed.get(),
                    (System.nanoTime() - t0) / 1_000_000,
                    layer.stopped() && !queue.isEmpty()));
  }
}
