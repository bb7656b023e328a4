package dev.finch.soci.lazy;

import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.lazy.hosts.RegistryHosts;
import dev.finch.soci.lazy.index.IndexResolver;
import dev.finch.soci.lazy.index.NoIndexException;
import dev.finch.soci.lazy.mount.LayerMounts;
import dev.finch.soci.lazy.mount.LocalUnpacker;
import dev.finch.soci.lazy.mount.RemoteLayer;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, per layer, what the snapshotter does. A layer with a zTOC in its image's SOCI index is
 * mounted lazily (FUSE over span fetches, its prefetch artifact's spans fetched alongside) and
 * answered Remote; a layer without a zTOC in an image with an index is fetched and unpacked here
 * (Local); an image without an index, or a Prepare without the CRI labels, is left to containerd
 * (Defer). Each outcome is reported as an event ({@code remote-snapshot-prepared}, {@code
 * local-snapshot-prepared}, {@code defer-snapshot-runtime}), and so is each entry a lazy mount
 * leaves out ({@code entry-left-out}: a name the kernel refuses).
 */
final class LazyPreparer implements RemotePreparer, AutoCloseable {
  /** Range requests one layer's prefetch keeps in flight at most. */
  static final int PREFETCH_CONNECTIONS = 4;

  /**
   * A mounted layer whose zTOC came as a skeleton gets its checkpoint windows in the background
   * right after its mount ({@link RemoteLayer#fetchWindowsAhead}): up to this many bytes (16
   * windows) in one request at once, more a few at a time while the link is idle.
   */
  static final long WINDOWS_AHEAD_BYTES = 16 * 32768;

  private final IndexResolver indexes;
  private final RegistryHosts hosts;
  private final LayerMounts mounts;
  private final AutoCloseable warmup;
  private final LocalUnpacker unpacker;
  private final EventSink events;
  private final boolean prefetch;
  private final java.time.Duration mountTimeout;
  private final StagedLayers<Ready> staged = new StagedLayers<>(this::stage);

  LazyPreparer(
      IndexResolver indexes,
      RegistryHosts hosts,
      LayerMounts mounts,
      AutoCloseable warmup,
      LocalUnpacker unpacker,
      EventSink events,
      boolean prefetch,
      java.time.Duration mountTimeout) {
    this.mountTimeout = mountTimeout;
    this.indexes = indexes;
    this.hosts = hosts;
    this.mounts = mounts;
    this.warmup = warmup;
    this.unpacker = unpacker;
    this.events = events;
    this.prefetch = prefetch;
  }

  @Override
  public void expect(Map<String, String> labels) {
    CriLayer l = CriLayer.of(labels);
    if (l != null) {
      Thread.ofVirtual()
          .name("soci-expect")
          .start(() -> indexes.fetchAhead(l.ref(), l.manifest(), l.indexLabel(), l.layer()));
    }
  }

  @Override
  public Outcome tryPrepare(String key, Path fsDir, Map<String, String> labels) throws IOException {
    CriLayer l = CriLayer.of(labels);
    if (l == null) {
      return defer(key, null, "missing CRI labels (image-ref, manifest-digest, layer-digest)");
    }
    long started = System.nanoTime();
    long deadline = started + mountTimeout.toNanos();
    staged.stageAll(l, CriLayer.imageLayers(labels));
    Ready ready;
    try {
      ready = await(staged.take(l), l, deadline);
    } catch (NoIndexException | MountTimedOut e) {
      return defer(key, l, e.getMessage());
    }
    if (ready.ztoc() == null) {
      try {
        unpacker.unpack(
            hosts.client(l.ref()), l.ref().repository(), l.manifest(), l.layer(), fsDir);
      } catch (IOException | RuntimeException e) {
        return defer(key, l, "local snapshot of " + l.layer() + " failed: " + e.getMessage());
      }
      events.event("info", "local-snapshot-prepared", "local snapshot prepared", fields(key, l));
      return new Local();
    }
    List<LayerTree.LeftOut> leftOut = mounts.mount(fsDir, ready.tree(), ready.layer());
    boolean windowsAhead = ready.layer().fetchWindowsAhead(WINDOWS_AHEAD_BYTES);
    for (LayerTree.LeftOut left : leftOut) {
      Map<String, Object> f = fields(key, l);
      f.put("entry", left.path());
      f.put("reason", left.reason());
      events.event(
          "warn",
          "entry-left-out",
          "entry left out of the lazily mounted layer; no lookup of it could succeed",
          f);
    }
    Map<String, Object> f = fields(key, l);
    f.put("ztoc", ready.ztoc().digest().toString());
    f.put("mountpoint", fsDir.toString());
    if (ready.prefetch() != null) {
      f.put("prefetch", ready.prefetch().digest().toString());
    }
    if (windowsAhead) {
      f.put("windows_ahead", true);
    }
    f.put("prepare_ms", (System.nanoTime() - started) / 1_000_000);
    f.put("staged_ms", ready.stageNanos() / 1_000_000);
    events.event("info", "remote-snapshot-prepared", "remote snapshot prepared", f);
    return new Remote();
  }

  /**
   * A layer staged for its mount (see {@link StagedLayers}): with a zTOC in the image's index, its
   * span manager (its prefetch artifact's spans already being fetched) and its file tree; without
   * one ({@code ztoc} null), nothing: the Prepare unpacks it.
   *
   * @param prefetch the prefetch artifact being replayed, or null without one
   * @param stageNanos how long the staging took
   */
  record Ready(
      Descriptor ztoc, RemoteLayer layer, LayerTree tree, Descriptor prefetch, long stageNanos) {}

  // index, zTOC, span manager, prefetch and file tree: everything of a lazy mount but the mount
  private Ready stage(CriLayer l, java.util.function.Consumer<String> step) throws IOException {
    long t0 = System.nanoTime();
    step.accept("resolving the SOCI index");
    SociIndex index = indexes.resolve(l.ref(), l.manifest(), l.indexLabel());
    Descriptor ztocDesc = index.ztocFor(l.layer());
    if (ztocDesc == null) {
      return new Ready(null, null, null, null, System.nanoTime() - t0);
    }
    step.accept("fetching the zTOC");
    IndexResolver.StagedZtoc staged = indexes.staged(l.ref(), index, l.layer());
    Ztoc ztoc = ZtocCodec.decode(staged.bytes());
    RemoteLayer layer =
        mounts.open(hosts.client(l.ref()), l.ref().repository(), l.layer(), ztoc, staged.windows());
    Descriptor prefetching = startPrefetch(index, layer, l);
    step.accept("building the file tree");
    LayerTree tree = LayerMounts.tree(ztoc);
    return new Ready(ztocDesc, layer, tree, prefetching, System.nanoTime() - t0);
  }

  /**
   * Waits for a layer's staging until {@code deadline}; past it, stops the staging (its registry
   * calls end) and throws {@link MountTimedOut}. A staging started ahead that failed otherwise than
   * by finding no index (a registry error, say) is tried once more here, and that failure is the
   * one reported, as if the Prepare had done all the work itself.
   */
  private Ready await(StagedLayers.Staging<Ready> s, CriLayer l, long deadline) throws IOException {
    try {
      return s.result.get(
          Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      String step = s.step();
      s.abandon();
      throw timedOut(step);
    } catch (InterruptedException e) {
      s.abandon();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while preparing " + l.layer());
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof NoIndexException n) {
        throw n;
      }
      if (!s.ahead) {
        throw rethrown(c);
      }
      String[] step = {"preparing the layer"};
      return within(deadline, step, () -> stage(l, what -> step[0] = what));
    }
  }

  private MountTimedOut timedOut(String what) {
    return new MountTimedOut(
        "mount_timeout_sec (" + mountTimeout.toSeconds() + " s) passed while " + what);
  }

  private static IOException rethrown(Throwable c) {
    if (c instanceof IOException io) {
      return io;
    }
    if (c instanceof RuntimeException r) {
      throw r;
    }
    if (c instanceof Error err) {
      throw err;
    }
    return new IOException(c);
  }

  /**
   * Starts fetching the spans of the layer's prefetch artifact, in its priority order, when the
   * index has one and {@code [prefetch] enable} is on, and answers its descriptor (null without
   * one). The mount does not wait: the artifact is read and its spans fetched in the background
   * ({@link RemoteLayer#replay}, {@link #PREFETCH_CONNECTIONS} requests at a time), alongside the
   * container's own reads, which join a fetch already under way. When done it logs {@code
   * prefetch-done} (spans listed, fetched by the prefetch, failed, milliseconds); a failure to read
   * the artifact logs {@code prefetch-failed}, and the spans are fetched on demand.
   */
  private Descriptor startPrefetch(SociIndex index, RemoteLayer layer, CriLayer l) {
    Descriptor d = prefetch ? index.prefetchFor(l.layer()) : null;
    if (d == null) {
      return null;
    }
    Thread.ofVirtual()
        .name("soci-prefetch")
        .start(
            () -> {
              int[] ids;
              try {
                ids =
                    indexes
                        .prefetchArtifact(l.ref(), d)
                        .spanIdsInPriorityOrder(layer.spanCount() - 1);
              } catch (IOException | RuntimeException e) {
                events.event(
                    "warn",
                    "prefetch-failed",
                    "prefetch failed; spans are fetched on demand",
                    Map.of(
                        "layer",
                        l.layer().toString(),
                        "prefetch",
                        d.digest().toString(),
                        "error",
                        String.valueOf(e.getMessage())));
                return;
              }
              layer
                  .replay(ids, PREFETCH_CONNECTIONS)
                  .thenAccept(
                      r -> {
                        Map<String, Object> f = new LinkedHashMap<>();
                        f.put("layer", l.layer().toString());
                        f.put("prefetch", d.digest().toString());
                        f.put("spans", r.listed());
                        f.put("fetched_spans", r.fetched());
                        f.put("failed_spans", r.failed());
                        f.put("millis", r.millis());
                        if (r.stopped()) {
                          f.put("stopped", true); // unmounted before it was done
                        }
                        events.event(
                            r.failed() == 0 ? "info" : "warn", "prefetch-done", "prefetch done", f);
                      });
            });
    return d;
  }

  /** The mount's budget ran out; the message says where. */
  static final class MountTimedOut extends IOException {
    MountTimedOut(String message) {
      super(message);
    }
  }

  private interface Step<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code step} (registry work) on its own thread and waits for it until {@code deadline};
   * past it, interrupts the step (its registry call ends) and throws {@link MountTimedOut}, whose
   * message names what the step was doing then ({@code what[0]}, which the step keeps up to date).
   */
  private <T> T within(long deadline, String[] what, Step<T> step) throws IOException {
    java.util.concurrent.CompletableFuture<T> result =
        new java.util.concurrent.CompletableFuture<>();
    Thread t =
        Thread.ofVirtual()
            .name("soci-mount-step")
            .start(
                () -> {
                  try {
                    result.complete(step.run());
                  } catch (Throwable e) {
                    result.completeExceptionally(e);
                  }
                });
    try {
      return result.get(
          Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      t.interrupt();
      throw timedOut(what[0]);
    } catch (InterruptedException e) {
      t.interrupt();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while " + what[0]);
    } catch (java.util.concurrent.ExecutionException e) {
      throw rethrown(e.getCause());
    }
  }

  private Outcome defer(String key, CriLayer l, String reason) {
    Map<String, Object> f = new LinkedHashMap<>();
    if (l != null) {
      f.put("image", l.image());
    }
    f.put("key", key);
    f.put("reason", reason);
    events.event("info", "defer-snapshot-runtime", "deferring to container runtime", f);
    return new Defer(reason);
  }

  private static Map<String, Object> fields(String key, CriLayer l) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("key", key);
    f.put("image", l.image());
    f.put("layer", l.layer().toString());
    return f;
  }

  /** A remote snapshot is removed: unmount it (its spans go with the layer's last mount). */
  @Override
  public void unmount(Path fsDir) throws IOException {
    mounts.unmount(fsDir);
  }

  /** The daemon stops: unmount, keeping the layer's spans for the next start. */
  @Override
  public void release(Path fsDir) throws IOException {
    mounts.unmountKeepingSpans(fsDir);
  }

  /** Shutdown: unmounts every layer but keeps the span cache for the next start. */
  @Override
  public void close() throws IOException {
    staged.clear();
    try {
      warmup.close(); // first: it may still be reading a FUSE mount of its own
    } catch (Exception e) {
      events.event("warn", "warmup-stop-failed", "cannot stop the warm-up: " + e, Map.of());
    }
    try {
      mounts.close();
    } finally {
      hosts.close();
    }
  }
}
