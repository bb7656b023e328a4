package dev.finch.soci.lazy.mount;

import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.fs.fuse.LayerMount;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.ztoc.Ztoc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lazily mounted layers, by mountpoint: each a FUSE mount of the layer's zTOC tree over its
 * span manager ({@link RemoteLayer}), whose spans live in the shared {@link SpanStore} and are
 * filled by the {@link BackgroundFetcher}. Removing the last mount of a layer drops its spans;
 * closing keeps them for the next start.
 */
public final class LayerMounts implements AutoCloseable {
  /** A lazily mounted layer: its FUSE mount, its span manager and its native hand-over. */
  private record Mounted(LayerMount mount, RemoteLayer layer, NativeHandover.Candidate candidate) {}

  private final SpanStore spans;
  private final BackgroundFetcher background;
  private final EventSink events;
  private final Recordings recordings;
  private final NativeHandover handover;
  private final Map<Path, Mounted> mounts = new ConcurrentHashMap<>();

  /**
   * @param nativeHandover whether a layer whose every span is cached is handed over to a native
   *     directory ({@code [cache] native_handover}, see {@link NativeHandover})
   */
  public LayerMounts(
      SpanStore spans,
      BackgroundFetcher background,
      EventSink events,
      Recordings recordings,
      boolean nativeHandover) {
    this.recordings = recordings;
    this.spans = spans;
    this.background = background;
    this.events = events;
    this.handover = new NativeHandover(nativeHandover, events);
    background.onComplete(this::complete);
  }

  // Every span of the layer is cached: hand its mounts over to native directories.
  private void complete(RemoteLayer layer) {
    for (Mounted m : mounts.values()) {
      if (m.layer() == layer) {
        handover.complete(m.candidate());
      }
    }
  }

  /** The span manager of a layer, not mounted yet (a prefetch may run on it first). */
  public RemoteLayer open(RegistryClient client, String repository, Digest layer, Ztoc ztoc)
      throws IOException {
    return open(client, repository, layer, ztoc, CheckpointWindows.NONE);
  }

  /**
   * {@link #open(RegistryClient, String, Digest, Ztoc)} for a zTOC whose checkpoint windows are
   * fetched with their spans.
   */
  public RemoteLayer open(
      RegistryClient client, String repository, Digest layer, Ztoc ztoc, CheckpointWindows windows)
      throws IOException {
    return new RemoteLayer(
        client,
        repository,
        layer,
        ztoc,
        spans,
        background,
        events,
        recordings.recorder(layer, ztoc.uncompressedArchiveSize()),
        windows);
  }

  /**
   * Mounts {@code layer} at {@code fsDir} with the file tree of its zTOC, replacing what was
   * mounted there, and queues it for the background fetcher.
   *
   * @return the zTOC's entries the mount leaves out (names the kernel refuses), for the caller to
   *     report
   */
  public List<LayerTree.LeftOut> mount(Path fsDir, Ztoc ztoc, RemoteLayer layer)
      throws IOException {
    return mount(fsDir, tree(ztoc), layer);
  }

  /**
   * The file tree a mount of the layer shows, built from its zTOC: the part of a mount that needs
   * no mountpoint, so it can be built before the layer's Prepare comes.
   */
  public static LayerTree tree(Ztoc ztoc) {
    return LayerTree.build(ZtocLayers.entries(ztoc));
  }

  /**
   * Mounts {@code layer} at {@code fsDir} with {@code tree} (see {@link #tree}), replacing what was
   * mounted there, and queues it for the background fetcher.
   *
   * @return the tree's entries the mount leaves out, for the caller to report
   */
  public List<LayerTree.LeftOut> mount(Path fsDir, LayerTree tree, RemoteLayer layer)
      throws IOException {
    release(fsDir);
    LayerMount mount = LayerMount.mount(fsDir, tree, layer);
    Mounted m = new Mounted(mount, layer, new NativeHandover.Candidate(fsDir, tree, layer));
    mounts.put(fsDir, m);
    handover.mounted(m.candidate());
    background.add(layer);
    return tree.leftOut();
  }

  /** Unmounts {@code fsDir}; drops the layer's cached spans unless another mount uses the layer. */
  public void unmount(Path fsDir) throws IOException {
    Mounted m = release(fsDir);
    if (m == null) {
      return;
    }
    Digest layer = m.layer().digest();
    if (mounts.values().stream().noneMatch(o -> o.layer().digest().equals(layer))) {
      spans.dropLayer(layer.hex());
    }
  }

  /**
   * Unmounts {@code fsDir} for a shutdown: the layer's cached spans stay for the next start, which
   * mounts the snapshot again.
   */
  public void unmountKeepingSpans(Path fsDir) throws IOException {
    release(fsDir);
  }

  private Mounted release(Path fsDir) throws IOException {
    Mounted m = mounts.remove(fsDir);
    if (m == null) {
      return null;
    }
    background.remove(m.layer());
    m.layer().stop();
    try {
      handover.release(m.candidate());
    } finally {
      m.mount().close();
    }
    return m;
  }

  /** Counts of every mount, the background fetcher and the span cache. */
  public MountStats stats() {
    List<MountStats.Layer> layers = new ArrayList<>();
    for (Map.Entry<Path, Mounted> e : mounts.entrySet()) {
      RemoteLayer l = e.getValue().layer();
      layers.add(
          new MountStats.Layer(
              e.getKey(),
              l.digest(),
              l.size(),
              l.cachedCompressedBytes(),
              l.servedBytes(),
              l.fetchedBytes(),
              l.syncReads(),
              l.syncFetches(),
              l.verifyFailures()));
    }
    MountStats.Background bg =
        new MountStats.Background(
            background.spansFetched.get(),
            background.failures.get(),
            background.dropped.get(),
            background.queued());
    return new MountStats(layers, bg, spans.bytes(), spans.evictions());
  }

  /**
   * Shutdown: stops the background fetcher, unmounts every layer (keeping the span cache) and
   * writes the read recordings.
   */
  @Override
  public void close() throws IOException {
    background.close();
    try {
      closeMounts();
    } finally {
      handover.close();
      recordings.close();
    }
  }

  private void closeMounts() throws IOException {
    IOException first = null;
    for (Path p : List.copyOf(mounts.keySet())) {
      try {
        release(p);
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
