package dev.finch.soci.lazy.mount;

import dev.finch.soci.fs.LayerNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one layer's span manager fetches before a container reads it: the checkpoint windows a zTOC
 * came without ({@link #windows}), and the next span of a file being read through ({@link
 * #afterWait}). Both run on the fetch threads and go through the layer's single-flight paths, so a
 * read of what is on its way waits for that fetch instead of starting another.
 */
public final class FetchAhead {
  /** Spans whose windows one request of {@link #windows} fetches, when they are many. */
  public static final int WINDOWS_AHEAD_SPANS = 8;

  /**
   * How long no container read may have waited before a windows fetch ahead sends a request: a
   * start whose reads follow one another closely (a program reading files in a loop) keeps the link
   * to itself, and the windows come in its pauses.
   */
  static final long IDLE_NANOS = 10_000_000L;

  private final RemoteLayer layer;
  private final CheckpointWindows checkpoints;
  private final RemoteLayer.DemandListener demand;
  private final AtomicLong readAheads = new AtomicLong();
  private volatile boolean readAheadOff;

  FetchAhead(RemoteLayer layer, CheckpointWindows checkpoints, RemoteLayer.DemandListener demand) {
    this.layer = layer;
    this.checkpoints = checkpoints;
    this.demand = demand;
  }

  /**
   * Fetches the checkpoint windows the zTOC came without, in the background, so that a first read
   * waits for its span's bytes alone rather than also for its window's request beside them (on a
   * start that reads spans one after another, that second request finishes after the span's headers
   * in most reads). At most {@code allAtOnce} bytes of windows (a layer of a few) come in one
   * request at once. More come {@link #WINDOWS_AHEAD_SPANS} spans' worth at a time, each request
   * sent only once no container read in this daemon has waited on the registry for {@link
   * #IDLE_NANOS}: they use the link when the start leaves it idle, and hold a read up by at most
   * one such request. A read of a span whose window is on its way waits for that request; a failed
   * request leaves its windows to be fetched on demand.
   *
   * @return whether a fetch started (false for a whole zTOC)
   */
  boolean windows(long allAtOnce) {
    long n = checkpoints.leftOutBytes();
    if (n == 0 || layer.stopped()) {
      return false;
    }
    RemoteLayer.FETCHERS.execute(
        () -> {
          int max = layer.spanCount() - 1;
          int step = n <= allAtOnce ? max + 1 : WINDOWS_AHEAD_SPANS;
          try {
            for (int first = 0; first <= max && !layer.stopped(); first += step) {
              while (step <= max && !demand.idleFor(IDLE_NANOS) && !layer.stopped()) {
                Thread.sleep(2);
              }
              layer.ensureWindows(first, Math.min(max, first + step - 1));
            }
          } catch (IOException | RuntimeException e) {
            // on demand, then: each read fetches its span's window as it would have
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    return true;
  }

  /**
   * After a read that waited for its spans {@code first..last}: when the file is being read through
   * (it began before span {@code first}, and the span before that is cached: read already) and goes
   * on past span {@code last}, fetch the next span in the background, unless it is cached or on its
   * way. A program reading a file from the start (an interpreter loading a library or its modules)
   * then finds the next span fetched, or arriving, instead of paying a whole round trip for each
   * span in turn, and the link is kept busy while the program works on what it got. A read into the
   * middle of a file with nothing before it read (a lookup in a big file) fetches nothing ahead; it
   * never goes past the file's end, costs at most one span per read that waited, and is not
   * recorded as a read.
   */
  void afterWait(LayerNode.RegularFile file, int first, int last) {
    int next = last + 1;
    if (readAheadOff
        || layer.stopped()
        || first == 0
        || layer.spanStart(first) <= file.uncompressedOffset()
        || !layer.cached(first - 1)
        || next >= layer.spanCount()
        || layer.spanStart(next) >= file.uncompressedOffset() + file.size()
        || layer.cachedOrComing(next)) {
      return;
    }
    readAheads.incrementAndGet();
    RemoteLayer.FETCHERS.execute(() -> layer.fetchUnclaimed(List.of(next)));
  }

  /** Spans fetched ahead of a read ({@link #afterWait}). */
  long readAheads() {
    return readAheads.get();
  }

  /** Turns {@link #afterWait} off (it is on): for tests that count exactly what a read fetches. */
  void readAheadOff() {
    readAheadOff = true;
  }
}
