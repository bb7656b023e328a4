package dev.finch.soci.lazy.mount;

import dev.finch.soci.spi.EventSink;
import dev.finch.soci.spi.PluginConfig;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Fills the spans of mounted layers that no container has read yet, so every layer ends up complete
 * in the span cache, and a read of it no longer waits on the registry. One thread for the daemon;
 * at most one span per {@code fetch_period_msec}, layers taken round robin. It stays quiet for
 * {@code silence_period_msec} after a layer is mounted (a container is starting) and yields to
 * on-demand reads: while any container read waits on the registry, and for one fetch period after
 * the last one finished, it fetches nothing. Spans go through the layer's single-flight fetch, so a
 * read of a span the fetcher is getting waits for that fetch instead of starting another.
 */
public final class BackgroundFetcher implements RemoteLayer.DemandListener, AutoCloseable {
  /**
   * After a failed fetch (registry down, say) the fetcher waits this long before it tries again.
   */
  static final long FAILURE_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final PluginConfig.BackgroundFetch config;
  private final EventSink events;
  private final LongSupplier clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<RemoteLayer> queue = new ArrayDeque<>();
  private final Map<RemoteLayer, Integer> cursor = new LinkedHashMap<>();
  private final Thread thread;
  private int onDemand;
  private long lastDemandEnded;
  private long quietUntil;
  private boolean closed;
  private volatile Consumer<RemoteLayer> onComplete = l -> {};
  final AtomicLong spansFetched = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();

  /** Starts the fetcher thread unless {@code [background_fetch] disable} is set. */
  public BackgroundFetcher(PluginConfig.BackgroundFetch config, EventSink events) {
    this(config, events, System::nanoTime);
  }

  BackgroundFetcher(PluginConfig.BackgroundFetch config, EventSink events, LongSupplier nanoClock) {
    this.config = config;
    this.events = events;
    this.clock = nanoClock;
    this.lastDemandEnded = nanoClock.getAsLong();
    this.thread = Thread.ofPlatform().name("soci-background-fetch").daemon().unstarted(this::run);
    if (!config.disable()) {
      thread.start();
    }
  }

  /**
   * Who hears of a layer whose every span is cached ({@code background-fetch-complete}); called on
   * the fetcher's thread, so it must return at once.
   */
  void onComplete(Consumer<RemoteLayer> listener) {
    this.onComplete = listener;
  }

  /** A layer was mounted: queue it and stay quiet for the silence period. */
  void add(RemoteLayer layer) {
    if (config.disable()) {
      return;
    }
    lock.lock();
    try {
      quietUntil =
          Math.max(
              quietUntil,
              clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(config.silencePeriodMsec()));
      if (config.maxQueueSize() >= 0 && queue.size() >= config.maxQueueSize()) {
        dropped.incrementAndGet();
        events.event(
            "warn",
            "background-fetch-queue-full",
            "background fetch queue full; layer not queued",
            Map.of("layer", layer.digest().toString(), "max_queue_size", config.maxQueueSize()));
        return;
      }
      if (!cursor.containsKey(layer)) {
        queue.addLast(layer);
        cursor.put(layer, 0);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** A layer was unmounted: stop filling it. */
  void remove(RemoteLayer layer) {
    lock.lock();
    try {
      queue.remove(layer);
      cursor.remove(layer);
    } finally {
      lock.unlock();
    }
  }

  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void demandStarted() {
    lock.lock();
    try {
      onDemand++;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void demandEnded() {
    lock.lock();
    try {
      onDemand--;
      lastDemandEnded = clock.getAsLong();
      quietUntil =
          Math.max(
              quietUntil,
              clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(config.fetchPeriodMsec()));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Tracked whether or not the fetcher is disabled: windows fetched ahead ask it too. */
  @Override
  public boolean idleFor(long nanos) {
    lock.lock();
    try {
      return onDemand == 0 && clock.getAsLong() - lastDemandEnded >= nanos;
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    long period = TimeUnit.MILLISECONDS.toNanos(config.fetchPeriodMsec());
    while (true) {
      RemoteLayer layer;
      int from;
      lock.lock();
      try {
        while (true) {
          if (closed) {
            return;
          }
          long wait = queue.isEmpty() ? Long.MAX_VALUE : quietUntil - clock.getAsLong();
          if (!queue.isEmpty() && onDemand == 0 && wait <= 0) {
            break;
          }
          if (onDemand > 0 || wait == Long.MAX_VALUE) {
            changed.await();
          } else {
            changed.awaitNanos(wait);
          }
        }
        layer = queue.pollFirst();
        from = cursor.get(layer);
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      int next;
      RemoteLayer completed = null;
      long pause = period;
      try {
        next = layer.fetchNextInBackground(from);
        if (next >= 0) {
          spansFetched.incrementAndGet();
        }
      } catch (Exception e) {
        failures.incrementAndGet();
        events.event(
            "warn",
            "background-fetch-failed",
            "background fetch of a span failed; retried later",
            Map.of("layer", layer.digest().toString(), "error", String.valueOf(e.getMessage())));
        next = from;
        pause = Math.max(period, FAILURE_PAUSE_NANOS);
      }
      lock.lock();
      try {
        if (cursor.containsKey(layer)) {
          if (next < 0) {
            cursor.remove(layer);
            events.event(
                "info",
                "background-fetch-complete",
                "every span of the layer is cached",
                Map.of("layer", layer.digest().toString()));
            completed = layer;
          } else {
            cursor.put(layer, next);
            queue.addLast(layer);
          }
        }
        quietUntil = Math.max(quietUntil, clock.getAsLong() + pause);
      } finally {
        lock.unlock();
      }
      if (completed != null) {
        onComplete.accept(completed);
      }
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (thread.isAlive()) {
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
