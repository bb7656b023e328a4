package dev.finch.soci.lazy.mount;

import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;
import dev.finch.process.ProcessCommandRunner;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.fs.fuse.LayerMount;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.sys.LibC;
import dev.finch.soci.sys.Umount;
import dev.finch.soci.util.FileTrees;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Hands a layer whose every span is cached over to a plain directory, so that containers created
 * from then on read it from the kernel's own filesystem, at native speed, and not through FUSE. A
 * layer never changes, so a copy taken once is right for good.
 *
 * <p>The copy is {@code cp -a} (modes, owners, times, hard links, xattrs, overlayfs whiteouts and
 * opaque markers) from a private FUSE mount of the layer's tree whose reads are not recorded, into
 * {@code native.partial} beside the snapshot's {@code fs}; it is synced and renamed to {@code
 * native}, then bind-mounted read-only on top of the layer's FUSE mount at {@code fs}. Overlays
 * made before keep the FUSE mount under it (it stays served); a new container's overlay resolves
 * {@code fs} to the bind. On a restart a complete {@code native} is bound again at once. The copy
 * takes the disk room of the layer's files once more (the span cache no longer needs to keep the
 * layer's spans for new containers, so its LRU bound lets them go); it is skipped when the disk
 * lacks that room plus {@link #FREE_MARGIN}. One copy at a time, on a thread of its own.
 *
 * <p>Events: {@code native-handover} (layer, mountpoint, {@code copy_ms}, or {@code reused} for a
 * copy made earlier), {@code native-handover-skipped} (no room), {@code native-handover-failed}
 * (the copy or the bind failed: the layer stays on FUSE, nothing else changes).
 */
final class NativeHandover implements AutoCloseable {
  /** Disk room left free beyond the copy itself. */
  static final long FREE_MARGIN = 512L << 20;

  /** The most of a failure's message an event carries. */
  private static final int MAX_ERROR_CHARS = 500;

  /** How long a stop waits for a copy under way to end. */
  private static final long STOP_WAIT_SECONDS = 30;

  /** A layer that may be handed over: its mount, its tree and bytes, and the hand-over's state. */
  static final class Candidate {
    final Path fsDir;
    final LayerTree tree;
    final RemoteLayer layer;
    private final CountDownLatch ended = new CountDownLatch(1);
    private boolean released;
    private boolean bound;
    private boolean queued;
    private boolean started;
    private Thread commandThread; // the worker while it waits for cp or sync

    Candidate(Path fsDir, LayerTree tree, RemoteLayer layer) {
      this.fsDir = fsDir;
      this.tree = tree;
      this.layer = layer;
    }

    private synchronized boolean released() {
      return released;
    }

    // Marks the copy started unless the layer was released first.
    private synchronized boolean start() {
      started = !released;
      return started;
    }
  }

  private static final CommandRunner RUNNER = new ProcessCommandRunner();

  private final boolean enabled;
  private final EventSink events;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("soci-native-handover").daemon().factory());

  NativeHandover(boolean enabled, EventSink events) {
    this.enabled = enabled;
    this.events = events;
  }

  /** The directory a copy of the layer mounted at {@code fsDir} lives in once complete. */
  static Path nativeDir(Path fsDir) {
    return fsDir.resolveSibling("native");
  }

  /**
   * A layer was just mounted: if a complete copy of it is there from an earlier run, binds it now.
   */
  void mounted(Candidate c) {
    if (enabled && Files.isDirectory(nativeDir(c.fsDir))) {
      bind(c, -1);
    }
  }

  /** Every span of the layer is cached: copies it (in the background) and binds the copy. */
  void complete(Candidate c) {
    if (!enabled) {
      return;
    }
    synchronized (c) {
      if (c.released || c.bound || c.queued) {
        return;
      }
      c.queued = true;
      worker.execute(() -> copyAndBind(c));
    }
  }

  /**
   * The layer is unmounted: stops its copy if one is under way (waiting for it to end, so nothing
   * of it is left mounted) and takes the bind away. The caller then unmounts the FUSE mount.
   */
  void release(Candidate c) throws IOException {
    boolean started;
    boolean bound;
    synchronized (c) {
      c.released = true;
      started = c.started;
      bound = c.bound;
      c.bound = false;
      if (c.commandThread != null) {
        c.commandThread.interrupt(); // the runner stops its child when interrupted
      }
    }
    if (started) {
      try {
        if (!c.ended.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
          events.event(
              "warn",
              "native-handover-failed",
              "the copy for the native directory did not stop within " + STOP_WAIT_SECONDS + " s",
              fields(c));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (bound) {
      Umount.force(c.fsDir); // the bind on top; the FUSE mount under it is the caller's
    }
  }

  private void copyAndBind(Candidate c) {
    try {
      if (!c.start()) {
        return;
      }
      long t0 = System.nanoTime();
      if (Files.isDirectory(nativeDir(c.fsDir)) || copy(c)) {
        bind(c, (System.nanoTime() - t0) / 1_000_000);
      }
    } finally {
      c.ended.countDown();
    }
  }

  // Copies the layer into native.partial and renames it to native; false when skipped or failed.
  private boolean copy(Candidate c) {
    Path partial = c.fsDir.resolveSibling("native.partial");
    Path src = c.fsDir.resolveSibling("native.src");
    long need = c.layer.uncompressedSize() + FREE_MARGIN;
    try {
      long free = Files.getFileStore(c.fsDir.getParent()).getUsableSpace();
      if (free < need) {
        Map<String, Object> f = fields(c);
        f.put("free_bytes", free);
        f.put("needed_bytes", need);
        events.event(
            "info",
            "native-handover-skipped",
            "not enough disk room to hand the layer over to a native directory; it stays on FUSE",
            f);
        return false;
      }
      FileTrees.delete(partial);
      FileTrees.delete(src);
      Files.createDirectories(partial);
      Files.createDirectories(src);
      try (LayerMount m = LayerMount.mount(src, c.tree, c.layer.unrecorded())) {
        run(c, "cp", "-a", "--", m.mountpoint() + "/.", partial + "/");
      }
      run(c, "sync", "-f", partial.toString());
      Files.move(partial, nativeDir(c.fsDir), StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException | RuntimeException e) {
      if (!c.released()) {
        failed(c, e);
      }
      return false;
    } finally {
      try {
        Files.deleteIfExists(src);
        FileTrees.delete(partial);
      } catch (IOException e) {
        events.event(
            "warn",
            "native-handover-failed",
            "cannot remove the unfinished copy " + partial + ": " + e.getMessage(),
            fields(c));
      }
    }
  }

  private void bind(Candidate c, long copyMillis) {
    Path dir = nativeDir(c.fsDir);
    synchronized (c) {
      if (c.released || c.bound) {
        return;
      }
      try {
        LibC.bindReadOnly(dir, c.fsDir);
      } catch (IOException e) {
        failed(c, e);
        return;
      }
      c.bound = true;
    }
    Map<String, Object> f = fields(c);
    f.put("native", dir.toString());
    if (copyMillis < 0) {
      f.put("reused", true);
    } else {
      f.put("copy_ms", copyMillis);
    }
    events.event(
        "info",
        "native-handover",
        "layer handed over to a native directory; new containers read it without FUSE",
        f);
  }

  private void failed(Candidate c, Exception e) {
    Map<String, Object> f = fields(c);
    // a failed cp prints a line per file: keep the command and status (the head) and the last lines
    String error = String.valueOf(e.getMessage());
    if (error.length() > MAX_ERROR_CHARS) {
      int half = MAX_ERROR_CHARS / 2;
      error = error.substring(0, half) + " ... " + error.substring(error.length() - half);
    }
    f.put("error", error);
    events.event(
        "warn",
        "native-handover-failed",
        "cannot hand the layer over to a native directory; it stays on FUSE",
        f);
  }

  private static Map<String, Object> fields(Candidate c) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("layer", c.layer.digest().toString());
    f.put("mountpoint", c.fsDir.toString());
    return f;
  }

  // Runs a command to its end (a release interrupts the wait, which stops the child); fails on a
  // non-zero exit.
  private static void run(Candidate c, String... command) throws IOException {
    synchronized (c) {
      if (c.released) {
        throw new InterruptedIOException("the layer was unmounted");
      }
      c.commandThread = Thread.currentThread();
    }
    try {
      CommandSpec spec = CommandSpec.of(command);
      RUNNER.run(spec).orThrow(spec);
    } finally {
      synchronized (c) {
        c.commandThread = null;
        Thread.interrupted(); // a release's interrupt ends here; its flag stops what follows
      }
    }
  }

  /**
   * Stops the worker; a copy under way ends with its layer's {@link #release}, which the shutdown
   * does first.
   */
  @Override
  public void close() {
    worker.shutdownNow();
    try {
      worker.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
