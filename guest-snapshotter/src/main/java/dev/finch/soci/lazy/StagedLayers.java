package dev.finch.soci.lazy;

import dev.finch.soci.oci.Digest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Layers made ready for their mount before their Prepare comes. containerd prepares an image's
 * layers one at a time, bottom up (a snapshot's parent must be committed first), so a Prepare that
 * did its own work (find the index, fetch and decode the zTOC, build the file tree, fetch the
 * prefetch spans) would add that work, registry round trips included, once per layer, and the time
 * to a running container would grow with the layer count.
 *
 * <p>Instead, the first Prepare of an image that reaches the preparer stages every layer that its
 * {@code cri.image-layers} label lists: its own and every one above it. None of those exists yet (a
 * layer's chain ID depends on every layer below it, and this one is missing), so none is staged in
 * vain. They are staged at once, at most {@link #PARALLEL} at a time, bottom up, so the next
 * Prepare's layer is first. Each later Prepare finds its layer staged, or being staged, and only
 * mounts it. A staging is consumed by the one Prepare that takes it; one that no Prepare takes (the
 * pull failed or was cancelled) is dropped after {@link #KEEP}.
 *
 * @param <T> what a staging produces
 */
final class StagedLayers<T> {
  /**
   * Layers staged at the same time: enough to keep a 200 Mbit/s link busy with zTOC and prefetch
   * fetches and to overlap their round trips, few enough that the zTOC decoding and tree building
   * of a 64-layer image does not crowd out the reads of the container that is starting.
   */
  static final int PARALLEL = 8;

  /** How long a staging no Prepare has taken is kept. */
  static final Duration KEEP = Duration.ofMinutes(10);

  /**
   * Stages one layer (of the image {@code layer} names); runs on a virtual thread of its own, and
   * tells {@code step} what it is doing (for the message of a Prepare that stops waiting for it).
   */
  @FunctionalInterface
  interface Stager<T> {
    T stage(CriLayer layer, java.util.function.Consumer<String> step) throws IOException;
  }

  /** A staging, running or done, and the thread it runs on while it runs. */
  static final class Staging<T> {
    final CompletableFuture<T> result = new CompletableFuture<>();

    /** Started ahead of its Prepare (by {@link #stageAll}), not by the Prepare itself. */
    final boolean ahead;

    private final long started = System.nanoTime();
    private volatile Thread runner;
    private volatile String step = "waiting for the layers staged before it";

    Staging(boolean ahead) {
      this.ahead = ahead;
    }

    /** What the staging is doing, e.g. "fetching the zTOC". */
    String step() {
      return step;
    }

    /** Stops the staging if it still runs (its registry calls end): its Prepare gave up. */
    void abandon() {
      result.completeExceptionally(new java.io.InterruptedIOException("staging abandoned"));
      Thread t = runner;
      if (t != null) {
        t.interrupt();
      }
    }
  }

  private record Key(Digest manifest, Digest layer) {}

  private final Map<Key, Staging<T>> stagings = new ConcurrentHashMap<>();
  private final Semaphore permits = new Semaphore(PARALLEL, true);
  private final Stager<T> stager;

  StagedLayers(Stager<T> stager) {
    this.stager = stager;
  }

  /**
   * Starts staging each of {@code layers} of {@code image}'s image that is neither staged nor being
   * staged, in order.
   */
  void stageAll(CriLayer image, List<Digest> layers) {
    dropExpired();
    for (Digest d : layers) {
      Key k = new Key(image.manifest(), d);
      Staging<T> fresh = new Staging<>(true);
      if (stagings.putIfAbsent(k, fresh) == null) {
        start(image.withLayer(d), fresh, true);
      }
    }
  }

  /**
   * The staging of {@code layer}, no longer kept for anyone else (one Prepare consumes it); started
   * now, without waiting for a permit, when none is staged: the Prepare waits for it in any case.
   */
  Staging<T> take(CriLayer layer) {
    Staging<T> s = stagings.remove(new Key(layer.manifest(), layer.layer()));
    if (s != null) {
      return s;
    }
    Staging<T> now = new Staging<>(false);
    start(layer, now, false);
    return now;
  }

  /** Stagings kept for a Prepare (running or done), for tests and metrics. */
  int size() {
    return stagings.size();
  }

  /** Shutdown: stops every staging still running and forgets them all. */
  void clear() {
    for (Staging<T> s : stagings.values()) {
      s.abandon();
    }
    stagings.clear();
  }

  private void start(CriLayer layer, Staging<T> s, boolean queued) {
    Thread.ofVirtual()
        .name("soci-stage " + layer.layer().hex().substring(0, 12))
        .start(
            () -> {
              s.runner = Thread.currentThread();
              boolean permit = false;
              try {
                if (queued) {
                  permits.acquire();
                  permit = true;
                }
                if (!s.result.isDone()) {
                  s.result.complete(stager.stage(layer, what -> s.step = what));
                }
              } catch (InterruptedException e) {
                s.result.completeExceptionally(
                    new java.io.InterruptedIOException("staging of " + layer.layer() + " stopped"));
              } catch (Throwable e) {
                s.result.completeExceptionally(e);
              } finally {
                s.runner = null;
                if (permit) {
                  permits.release();
                }
              }
            });
  }

  private void dropExpired() {
    long now = System.nanoTime();
    stagings
        .entrySet()
        .removeIf(
            e -> {
              Staging<T> s = e.getValue();
              boolean old = now - s.started > KEEP.toNanos();
              if (old) {
                s.abandon();
              }
              return old;
            });
  }
}
