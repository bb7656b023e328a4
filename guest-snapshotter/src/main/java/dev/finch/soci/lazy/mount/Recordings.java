package dev.finch.soci.lazy.mount;

import dev.finch.soci.index.ReadRecord;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.util.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read recordings of every lazily mounted layer (workload-aware prefetch, see {@code
 * docs/daemon.md}): one {@link ReadRecorder} per layer digest, written as {@code <dir>/<layer
 * hex>.json} ({@link ReadRecord}) within {@link #FLUSH_PERIOD} of a change and when the daemon
 * stops. A recording found there when a layer is opened (the daemon restarted on the same root) is
 * continued, not replaced. {@code soci create --record <dir>} reads them.
 */
public final class Recordings implements AutoCloseable {
  /** How soon a change reaches the file. */
  public static final Duration FLUSH_PERIOD = Duration.ofSeconds(1);

  private final Path dir;
  private final EventSink events;
  private final Map<Digest, ReadRecorder> recorders = new ConcurrentHashMap<>();
  private final Thread flusher;
  private volatile boolean closed;

  /** Recordings under {@code dir} (created), flushed by a background thread until closed. */
  public Recordings(Path dir, EventSink events) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.events = events;
    this.flusher = Thread.ofVirtual().name("soci-record-flush").start(this::flushLoop);
  }

  /** The directory the recordings are written to. */
  public Path dir() {
    return dir;
  }

  /** The recorder of {@code layer}, shared by every mount of it. */
  ReadRecorder recorder(Digest layer, long uncompressedSize) {
    return recorders.computeIfAbsent(
        layer,
        d -> {
          ReadRecorder r = new ReadRecorder(d, uncompressedSize);
          try {
            ReadRecord earlier = ReadRecord.parse(Files.readAllBytes(file(d)));
            if (earlier.layer().equals(d)) {
              r.restore(earlier);
            }
          } catch (NoSuchFileException e) {
            // a first recording
          } catch (IOException e) {
            warn(d, "an earlier recording cannot be read; it is replaced: " + e.getMessage());
          }
          return r;
        });
  }

  private Path file(Digest layer) {
    return dir.resolve(layer.hex() + ".json");
  }

  private void flushLoop() {
    while (!closed) {
      try {
        Thread.sleep(FLUSH_PERIOD);
      } catch (InterruptedException e) {
        return;
      }
      flush();
    }
  }

  /** Writes every recording that changed since it was last written. */
  public synchronized void flush() {
    for (Map.Entry<Digest, ReadRecorder> e : recorders.entrySet()) {
      ReadRecorder r = e.getValue();
      if (!r.takeDirty()) {
        continue;
      }
      try {
        DurableFiles.write(file(e.getKey()), r.snapshot().toJson());
      } catch (IOException ex) {
        warn(e.getKey(), "cannot write the recording: " + ex.getMessage());
      }
    }
  }

  private void warn(Digest layer, String message) {
    events.event(
        "warn", "record-failed", message, Map.of("layer", layer.toString(), "dir", dir.toString()));
  }

  /** Stops the flusher and writes what changed. */
  @Override
  public void close() {
    closed = true;
    flusher.interrupt();
    try {
      flusher.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
  }
}
