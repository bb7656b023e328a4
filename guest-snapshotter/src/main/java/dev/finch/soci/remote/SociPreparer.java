package dev.finch.soci.remote;

import dev.finch.soci.daemon.DaemonConfig;
import dev.finch.soci.daemon.EventSink;
import dev.finch.soci.daemon.MetricsSource;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.fs.fuse.LayerMount;
import dev.finch.soci.index.PrefetchArtifact;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.registry.auth.DockerConfigCredentials;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.util.Futures;
import dev.finch.soci.util.process.ProcessCommandRunner;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, per layer, what the snapshotter does (soci.md §1.5-1.6): a layer with a zTOC in the image's
 * SOCI index is mounted lazily (FUSE over span fetches) and answered Remote; an image without an index
 * (remembered per manifest digest) or a layer without a zTOC is deferred to containerd. Index discovery:
 * the explicit label, then the v2 manifest annotation, then v1 referrers (fallback tag) — both versions
 * on by default. Indexes and zTOCs are kept under the root, so a restart re-mounts without the registry.
 * Spans are cached on disk under {@code <root>/soci/spancache} ({@link SpanStore}); the {@link
 * BackgroundFetcher} fills what containers have not read, and a layer's prefetch artifact is fetched
 * before its mount completes.
 */
public final class SociPreparer implements RemotePreparer, MetricsSource, AutoCloseable {
  static final String LABEL_IMAGE_REF = "containerd.io/snapshot/cri.image-ref";
  static final String LABEL_MANIFEST = "containerd.io/snapshot/cri.manifest-digest";
  static final String LABEL_LAYER = "containerd.io/snapshot/cri.layer-digest";
  static final String LABEL_INDEX = "containerd.io/snapshot/remote/soci.index.digest";

  private final DaemonConfig config;
  private final EventSink events;
  private final ArtifactCache artifacts;
  private final SpanStore spans;
  private final BackgroundFetcher background;
  private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();
  private final Map<Digest, String> noIndex = new ConcurrentHashMap<>();
  private final Map<Path, Mounted> mounts = new ConcurrentHashMap<>();
  private final Set<String> plainHttpHosts = new HashSet<>();
  private final LocalUnpacker unpacker = new LocalUnpacker();

  /** A lazily mounted layer: its FUSE mount and its span manager. */
  private record Mounted(LayerMount mount, RemoteLayer layer) {}

  private final Map<Digest, java.util.concurrent.CompletableFuture<SociIndex>> discovering =
      new java.util.concurrent.ConcurrentHashMap<>();

  public SociPreparer(DaemonConfig config, Path root, EventSink events) throws IOException {
    this.config = config;
    this.events = events;
    this.artifacts = new ArtifactCache(root.resolve("soci").resolve("artifacts"));
    this.spans = SpanStore.open(root.resolve("soci").resolve("spancache"), config.cache().maxBytes());
    this.background = new BackgroundFetcher(config.backgroundFetch(), events);
    Warmup.start(root.resolve("soci").resolve("warmup"), events);
    config.resolver().hosts().forEach((host, h) -> {
      if (h.mirrors().stream().anyMatch(m -> m.insecure() && m.host().equals(host))) {
        plainHttpHosts.add(host);
      }
    });
  }

  /** The layer a Prepare's CRI labels name; null when one of them is missing. */
  private record LayerRef(String image, ImageRef ref, Digest manifest, Digest layer, String explicitIndex) {
    static LayerRef of(Map<String, String> labels) {
      String image = labels.get(LABEL_IMAGE_REF);
      String manifest = labels.get(LABEL_MANIFEST);
      String layer = labels.get(LABEL_LAYER);
      if (image == null || manifest == null || layer == null) {
        return null;
      }
      return new LayerRef(image, ImageRef.parse(image), Digest.parse(manifest), Digest.parse(layer), labels.get(LABEL_INDEX));
    }
  }

  /** Fetches the index and the layer's zTOC into the artifact cache, where the Prepare will find them. */
  @Override
  public void expect(Map<String, String> labels) {
    Thread.ofVirtual().name("soci-expect").start(() -> {
      try {
        LayerRef l = LayerRef.of(labels);
        if (l == null || noIndex.containsKey(l.manifest())) {
          return;
        }
        Descriptor ztocDesc = index(l.ref(), l.manifest(), l.explicitIndex()).ztocFor(l.layer());
        if (ztocDesc != null) {
          ztocBytes(l.ref(), ztocDesc);
        }
      } catch (IOException | RuntimeException e) {
        // the Prepare itself tries again and reports what fails
      }
    });
  }

  // the zTOC, mapped from the artifact cache (fetched into it from the registry first if need be)
  private java.nio.MappedByteBuffer ztocBytes(ImageRef ref, Descriptor ztoc) throws IOException {
    RegistryClient client = client(ref);
    return artifacts.map(ztoc.digest(), out -> client.fetchBlob(ref.repository(), ztoc.digest(), out));
  }

  @Override
  public Outcome tryPrepare(String key, Path fsDir, Map<String, String> labels) throws IOException {
    LayerRef l = LayerRef.of(labels);
    if (l == null) {
      return defer(key, "missing CRI labels (image-ref, manifest-digest, layer-digest)", Map.of());
    }
    String imageRef = l.image();
    ImageRef ref = l.ref();
    Digest manifestDigest = l.manifest();
    Digest layerDigest = l.layer();
    String known = noIndex.get(manifestDigest);
    if (known != null) {
      return defer(key, known, Map.of("image", imageRef));
    }
    SociIndex index;
    try {
      index = index(ref, manifestDigest, l.explicitIndex());
    } catch (NoIndexException e) {
      noIndex.put(manifestDigest, e.getMessage());
      return defer(key, e.getMessage(), Map.of("image", imageRef));
    }
    Descriptor ztocDesc = index.ztocFor(layerDigest);
    RegistryClient client = client(ref);
    if (ztocDesc == null) {
      return local(key, fsDir, client, ref, manifestDigest, layerDigest);
    }
    Ztoc ztoc = ZtocCodec.decode(ztocBytes(ref, ztocDesc));
    LayerTree tree = LayerTree.build(ZtocLayers.entries(ztoc));
    RemoteLayer content = new RemoteLayer(client, ref.repository(), layerDigest, ztoc, spans, background);
    int prefetched = prefetch(index, content, client, ref);
    LayerMount mount = LayerMount.mount(fsDir, tree, content);
    Mounted old = mounts.put(fsDir, new Mounted(mount, content));
    if (old != null) {
      background.remove(old.layer());
      old.mount().close();
    }
    background.add(content);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("key", key);
    f.put("image", imageRef);
    f.put("layer", layerDigest.toString());
    f.put("ztoc", ztocDesc.digest().toString());
    f.put("mountpoint", fsDir.toString());
    if (prefetched >= 0) {
      f.put("prefetched_spans", prefetched);
    }
    events.event("info", "remote-snapshot-prepared", "remote snapshot prepared", f);
    return new Remote();
  }

  /** The image has an index but this layer no zTOC: fetch and unpack it here (a local snapshot). */
  private Outcome local(String key, Path fsDir, RegistryClient client, ImageRef ref, Digest manifest, Digest layer) {
    try {
      Manifest m = client.fetchManifest(ref.repository(), manifest).manifest();
      int i = 0;
      while (i < m.layers().size() && !m.layers().get(i).digest().equals(layer)) {
        i++;
      }
      if (i == m.layers().size()) {
        throw new IOException("layer " + layer + " is not in image manifest " + manifest);
      }
      var config = Json.MAPPER.readTree(blob(client, ref.repository(), m.config().digest()));
      Digest diffId = Digest.parse(config.path("rootfs").path("diff_ids").path(i).asText());
      unpacker.unpack(client, ref.repository(), m.layers().get(i), diffId, fsDir);
    } catch (IOException | RuntimeException e) {
      return defer(key, "local snapshot of " + layer + " failed: " + e.getMessage(), Map.of("image", ref.toString()));
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("key", key);
    f.put("image", ref.toString());
    f.put("layer", layer.toString());
    events.event("info", "local-snapshot-prepared", "local snapshot prepared", f);
    return new Local();
  }

  private Outcome defer(String key, String reason, Map<String, String> extra) {
    Map<String, Object> f = new LinkedHashMap<>(extra);
    f.put("key", key);
    f.put("reason", reason);
    events.event("info", "defer-snapshot-runtime", "deferring to container runtime", f);
    return new Defer(reason);
  }

  /**
   * The SOCI index for an image manifest: from the local record, else discovered in the registry.
   * Callers that ask at the same time (an {@link #expect} hint and its Prepare) share one discovery.
   */
  private SociIndex index(ImageRef ref, Digest manifest, String explicit) throws IOException {
    java.util.concurrent.CompletableFuture<SociIndex> mine = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CompletableFuture<SociIndex> running = discovering.putIfAbsent(manifest, mine);
    if (running != null) {
      try {
        return running.join();
      } catch (java.util.concurrent.CompletionException e) {
        // the other caller's discovery failed: try once more here, and report our own failure
        return discover(ref, manifest, explicit);
      }
    }
    try {
      SociIndex index = discover(ref, manifest, explicit);
      mine.complete(index);
      return index;
    } catch (IOException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      discovering.remove(manifest, mine);
    }
  }

  private SociIndex discover(ImageRef ref, Digest manifest, String explicit) throws IOException {
    String note = "index-" + manifest.hex();
    String recorded = artifacts.readNote(note);
    Digest indexDigest = recorded != null ? Digest.parse(recorded) : null;
    RegistryClient client = client(ref);
    if (indexDigest == null && explicit != null && !explicit.isBlank()) {
      indexDigest = Digest.parse(explicit);
    }
    if (indexDigest == null) {
      // v2 (the manifest's annotation) wins over v1 (referrers); both lookups run at once
      java.util.concurrent.CompletableFuture<Digest> v1 = config.pullModes().sociV1Enable()
          ? java.util.concurrent.CompletableFuture.supplyAsync(() -> {
              List<Descriptor> found = client.referrers(ref.repository(), manifest, MediaTypes.SOCI_INDEX_V1);
              return found.isEmpty() ? null : found.getLast().digest();
            }, Thread::startVirtualThread)
          : java.util.concurrent.CompletableFuture.completedFuture(null);
      if (config.pullModes().sociV2Enable()) {
        String ann = client.fetchManifest(ref.repository(), manifest).manifest().annotation(MediaTypes.ANN_INDEX_DIGEST);
        if (ann != null) {
          indexDigest = Digest.parse(ann);
        }
      }
      if (indexDigest == null) {
        indexDigest = Futures.join(v1);
      }
    }
    if (indexDigest == null) {
      throw new NoIndexException("no SOCI index found for image manifest " + manifest);
    }
    Digest d = indexDigest;
    SociIndex index = SociIndex.parse(artifacts.get(d, out -> out.write(client.fetchManifest(ref.repository(), d).bytes())));
    artifacts.writeNote(note, d.toString());
    return index;
  }

  private static byte[] blob(RegistryClient client, String repo, Digest d) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client.fetchBlob(repo, d, out);
    return out.toByteArray();
  }

  private RegistryClient client(ImageRef ref) {
    String host = ref.registry().equals(ImageRef.DOCKER_HUB) ? ref.endpointHost() : ref.registry();
    return clients.computeIfAbsent(
        host,
        h -> RegistryClient.builder(h)
            .credentials(DockerConfigCredentials.standardChain(null, new ProcessCommandRunner()))
            .plainHttpHosts(plainHttpHosts)
            // as the reference: a registry on this machine is spoken to over plain http
            .plainHttp(RegistryClient.isLoopback(h))
            .build());
  }

  /**
   * Fetches the spans of the layer's prefetch artifact, if the index has one and {@code [prefetch]
   * enable} is on; answers how many spans were fetched, or -1 without an artifact. A failure only
   * costs the prefetch: the layer still mounts and reads fetch on demand.
   */
  private int prefetch(SociIndex index, RemoteLayer content, RegistryClient client, ImageRef ref) {
    Descriptor d = config.prefetch().enable() ? index.prefetchFor(content.digest()) : null;
    if (d == null) {
      return -1;
    }
    try {
      PrefetchArtifact p = PrefetchArtifact.parse(artifacts.get(d.digest(), out -> client.fetchBlob(ref.repository(), d.digest(), out)));
      return content.prefetch(p.spanIds(content.spanCount() - 1));
    } catch (IOException | RuntimeException e) {
      events.event("warn", "prefetch-failed", "prefetch failed; spans are fetched on demand",
          Map.of("layer", content.digest().toString(), "prefetch", d.digest().toString(), "error", String.valueOf(e.getMessage())));
      return 0;
    }
  }

  /** A remote snapshot is removed: unmount it and drop its cached spans unless another mount uses the layer. */
  @Override
  public void unmount(Path fsDir) throws IOException {
    Mounted m = mounts.remove(fsDir);
    if (m == null) {
      return;
    }
    background.remove(m.layer());
    m.mount().close();
    Digest layer = m.layer().digest();
    if (mounts.values().stream().noneMatch(o -> o.layer().digest().equals(layer))) {
      spans.dropLayer(layer.hex());
    }
  }

  /** Shutdown: unmounts every layer but keeps the span cache for the next start. */
  @Override
  public void close() throws IOException {
    background.close();
    clients.values().forEach(RegistryClient::close);
    IOException first = null;
    for (Path p : List.copyOf(mounts.keySet())) {
      Mounted m = mounts.remove(p);
      try {
        m.mount().close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void writePrometheus(Appendable out) throws IOException {
    List<Mounted> all = List.copyOf(mounts.values());
    out.append("# HELP soci_fs_operation_count Lazy-loading operations, by layer and type.\n")
        .append("# TYPE soci_fs_operation_count counter\n");
    for (Mounted m : all) {
      RemoteLayer l = m.layer();
      operation(out, l, "synchronous_read_count", l.syncReads());
      operation(out, l, "synchronous_read_remote_registry_fetch_count", l.syncFetches());
      operation(out, l, "span_verification_failure_count", l.verifyFailures());
    }
    out.append("soci_fs_operation_count{operation_type=\"background_span_fetch_count\"} ")
        .append(Long.toString(background.spansFetched.get())).append('\n');
    out.append("soci_fs_operation_count{operation_type=\"background_span_fetch_failure_count\"} ")
        .append(Long.toString(background.failures.get())).append('\n');
    out.append("soci_fs_operation_count{operation_type=\"background_fetch_work_queue_evicted\"} ")
        .append(Long.toString(background.dropped.get())).append('\n');
    out.append("# HELP soci_fs_bytes_served Bytes served to FUSE reads, by layer.\n")
        .append("# TYPE soci_fs_bytes_served counter\n");
    for (Mounted m : all) {
      out.append("soci_fs_bytes_served{layer=\"").append(m.layer().digest().toString())
          .append("\",operation_type=\"synchronous_bytes_served\"} ")
          .append(Long.toString(m.layer().servedBytes())).append('\n');
    }
    out.append("# HELP soci_fs_registry_fetched_bytes Compressed bytes received from the registry, by layer.\n")
        .append("# TYPE soci_fs_registry_fetched_bytes counter\n");
    for (Mounted m : all) {
      out.append("soci_fs_registry_fetched_bytes{layer=\"").append(m.layer().digest().toString()).append("\"} ")
          .append(Long.toString(m.layer().fetchedBytes())).append('\n');
    }
    out.append("# HELP layer_fetched_size_bytes Compressed bytes of the layer now in the span cache.\n")
        .append("# TYPE layer_fetched_size_bytes gauge\n");
    for (var e : mounts.entrySet()) {
      layerGauge(out, "layer_fetched_size_bytes", e.getValue().layer(), e.getKey(), e.getValue().layer().cachedCompressedBytes());
    }
    out.append("# HELP layer_size_bytes Compressed size of the layer.\n")
        .append("# TYPE layer_size_bytes gauge\n");
    for (var e : mounts.entrySet()) {
      layerGauge(out, "layer_size_bytes", e.getValue().layer(), e.getKey(), e.getValue().layer().size());
    }
    out.append("# HELP soci_fs_span_cache_bytes Uncompressed bytes in the on-disk span cache.\n")
        .append("# TYPE soci_fs_span_cache_bytes gauge\n")
        .append("soci_fs_span_cache_bytes ").append(Long.toString(spans.bytes())).append('\n');
    out.append("# HELP soci_fs_span_cache_evictions_total Spans evicted from the span cache to stay within max_bytes.\n")
        .append("# TYPE soci_fs_span_cache_evictions_total counter\n")
        .append("soci_fs_span_cache_evictions_total ").append(Long.toString(spans.evictions())).append('\n');
    out.append("# HELP soci_fs_background_fetch_work_queue_size Layers waiting for the background fetcher.\n")
        .append("# TYPE soci_fs_background_fetch_work_queue_size gauge\n")
        .append("soci_fs_background_fetch_work_queue_size ").append(Integer.toString(background.queued())).append('\n');
  }

  private static void operation(Appendable out, RemoteLayer l, String type, long value) throws IOException {
    out.append("soci_fs_operation_count{layer=\"").append(l.digest().toString())
        .append("\",operation_type=\"").append(type).append("\"} ").append(Long.toString(value)).append('\n');
  }

  private static void layerGauge(Appendable out, String name, RemoteLayer l, Path mountpoint, long value) throws IOException {
    out.append(name).append("{digest=\"").append(l.digest().toString()).append("\",mountpoint=\"")
        .append(mountpoint.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append("\"} ")
        .append(Long.toString(value)).append('\n');
  }

  /** The image has no SOCI index (or lazy pull modes are off): every layer defers. */
  static final class NoIndexException extends IOException {
    NoIndexException(String message) {
      super(message);
    }
  }
}
