package dev.finch.soci.lazy;

import dev.finch.soci.index.SociIndex;
import dev.finch.soci.lazy.hosts.RegistryHosts;
import dev.finch.soci.lazy.index.IndexResolver;
import dev.finch.soci.lazy.index.NoIndexException;
import dev.finch.soci.lazy.mount.LayerMounts;
import dev.finch.soci.lazy.mount.LocalUnpacker;
import dev.finch.soci.lazy.mount.RemoteLayer;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides, per layer, what the snapshotter does. A layer with a zTOC in its image's SOCI index is
 * mounted lazily (FUSE over span fetches, after the spans of its prefetch artifact) and answered
 * Remote; a layer without a zTOC in an image with an index is fetched and unpacked here (Local); an
 * image without an index, or a Prepare without the CRI labels, is left to containerd (Defer). Each
 * outcome is reported as an event ({@code remote-snapshot-prepared}, {@code
 * local-snapshot-prepared}, {@code defer-snapshot-runtime}).
 */
final class LazyPreparer implements RemotePreparer, AutoCloseable {
  private final IndexResolver indexes;
  private final RegistryHosts hosts;
  private final LayerMounts mounts;
  private final LocalUnpacker unpacker;
  private final EventSink events;
  private final boolean prefetch;

  LazyPreparer(
      IndexResolver indexes,
      RegistryHosts hosts,
      LayerMounts mounts,
      LocalUnpacker unpacker,
      EventSink events,
      boolean prefetch) {
    this.indexes = indexes;
    this.hosts = hosts;
    this.mounts = mounts;
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
    SociIndex index;
    try {
      index = indexes.resolve(l.ref(), l.manifest(), l.indexLabel());
    } catch (NoIndexException e) {
      return defer(key, l, e.getMessage());
    }
    RegistryClient client = hosts.client(l.ref());
    Descriptor ztocDesc = index.ztocFor(l.layer());
    if (ztocDesc == null) {
      try {
        unpacker.unpack(client, l.ref().repository(), l.manifest(), l.layer(), fsDir);
      } catch (IOException | RuntimeException e) {
        return defer(key, l, "local snapshot of " + l.layer() + " failed: " + e.getMessage());
      }
      events.event("info", "local-snapshot-prepared", "local snapshot prepared", fields(key, l));
      return new Local();
    }
    Ztoc ztoc = ZtocCodec.decode(indexes.ztoc(l.ref(), ztocDesc));
    RemoteLayer layer = mounts.open(client, l.ref().repository(), l.layer(), ztoc);
    int prefetched = prefetch(index, layer, l);
    mounts.mount(fsDir, ztoc, layer);
    Map<String, Object> f = fields(key, l);
    f.put("ztoc", ztocDesc.digest().toString());
    f.put("mountpoint", fsDir.toString());
    if (prefetched >= 0) {
      f.put("prefetched_spans", prefetched);
    }
    events.event("info", "remote-snapshot-prepared", "remote snapshot prepared", f);
    return new Remote();
  }

  /**
   * Fetches the spans of the layer's prefetch artifact when the index has one and {@code [prefetch]
   * enable} is on; answers how many, or -1 without one. A failure costs only the prefetch: the
   * layer still mounts and its reads fetch on demand.
   */
  private int prefetch(SociIndex index, RemoteLayer layer, CriLayer l) {
    Descriptor d = prefetch ? index.prefetchFor(l.layer()) : null;
    if (d == null) {
      return -1;
    }
    try {
      return layer.prefetch(indexes.prefetchArtifact(l.ref(), d).spanIds(layer.spanCount() - 1));
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
      return 0;
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

  /** Shutdown: unmounts every layer but keeps the span cache for the next start. */
  @Override
  public void close() throws IOException {
    try {
      mounts.close();
    } finally {
      hosts.close();
    }
  }
}
