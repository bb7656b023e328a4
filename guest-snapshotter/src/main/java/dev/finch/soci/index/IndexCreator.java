package dev.finch.soci.index;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import dev.finch.soci.store.ArtifactEntry;
import dev.finch.soci.store.ArtifactType;
import dev.finch.soci.store.ArtifactsDb;
import dev.finch.soci.store.ContentStore;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocCodec;
import dev.finch.soci.ztoc.ZtocSkeleton;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Builds the SOCI index of one platform image manifest: a zTOC per layer at or above the minimum
 * size (reusing stored zTOCs for the same layer and span size unless forced), a prefetch artifact
 * per layer holding a {@code --prefetch-file} path or read in a {@code --record} recording, then
 * the index manifest (prefetch artifacts, then zTOCs, each in layer order: the order the reference
 * 0.4.1 needs); stores them, the {@code {}} config and the index in the content store and records
 * them in the artifacts database. Layers are indexed concurrently (one per core); their outcomes
 * are reported in layer order, in the reference's wording.
 */
public final class IndexCreator {
  private final ContentStore store;
  private final ArtifactsDb db;
  private final ZtocMaker maker;
  private final LayerSource layers;
  private final String location;
  private final int parallelism;

  /** Builds up to one zTOC per core at once. */
  public IndexCreator(
      ContentStore store, ArtifactsDb db, ZtocMaker maker, LayerSource layers, String location) {
    this(store, db, maker, layers, location, Runtime.getRuntime().availableProcessors());
  }

  /**
   * @param parallelism how many layers' zTOCs are built at once (at least 1)
   */
  public IndexCreator(
      ContentStore store,
      ArtifactsDb db,
      ZtocMaker maker,
      LayerSource layers,
      String location,
      int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    this.store = store;
    this.db = db;
    this.maker = maker;
    this.layers = layers;
    this.location = location;
    this.parallelism = parallelism;
  }

  /**
   * The result for one platform: the outcome per layer (then one per prefetch artifact) and the
   * index (absent when no zTOC was built).
   */
  public record Result(
      Descriptor image,
      Platform platform,
      List<LayerOutcome> outcomes,
      Optional<SociIndex> index) {}

  public Result create(
      Descriptor imageDesc,
      Manifest image,
      Platform platform,
      SociIndex.Version version,
      IndexOptions opts,
      String imageRef,
      Consumer<LayerOutcome> report)
      throws IOException {
    List<LayerOutcome> outcomes = new ArrayList<>();
    List<Descriptor> ztocs = new ArrayList<>();
    List<LayerOutcome.Indexed> indexed = new ArrayList<>();
    List<ArtifactEntry> entries = new ArrayList<>();
    indexLayers(
        image.layers(),
        opts,
        imageDesc,
        platform,
        b -> {
          LayerOutcome o = b.outcome();
          entries.addAll(b.entries());
          outcomes.add(o);
          report.accept(o);
          if (o instanceof LayerOutcome.Indexed ix) {
            ztocs.add(ix.ztoc());
            indexed.add(ix);
          }
        });
    if (ztocs.isEmpty()) {
      return new Result(imageDesc, platform, outcomes, Optional.empty());
    }
    // Prefetch artifacts come BEFORE the zTOCs: the reference 0.4.1 maps each layer to the LAST
    // descriptor annotated with it, whatever its media type, and would take a prefetch artifact
    // listed after the zTOC for the zTOC (ReferenceDaemonLazyIT). Daemons that know prefetch
    // artifacts (ours, upstream >= 0.13) select by media type, so the order does not matter to
    // them.
    List<Descriptor> blobs = new ArrayList<>();
    if (opts.lazyZtoc()) {
      // before the zTOCs too, for the same reason; the reference ignores them
      blobs.addAll(skeletons(indexed));
    }
    if (opts.wantsPrefetch()) {
      for (LayerOutcome.Prefetched p : prefetch(indexed, opts, entries)) {
        outcomes.add(p);
        report.accept(p);
        blobs.add(p.prefetch());
      }
    }
    blobs.addAll(ztocs);
    SociIndex index =
        SociIndex.build(
            version,
            blobs,
            version == SociIndex.Version.V1 ? imageDesc : null,
            SociIndex.BUILD_TOOL);
    store.write(MediaTypes.EMPTY_JSON_DIGEST, SociIndex.EMPTY_CONFIG, Map.of());
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("containerd.io/gc.ref.content.config", MediaTypes.EMPTY_JSON_DIGEST.toString());
    // As the reference: every blob of the index, prefetch artifacts included, is a "ztoc.<i>" ref.
    for (int i = 0; i < blobs.size(); i++) {
      labels.put("containerd.io/gc.ref.content.ztoc." + i, blobs.get(i).digest().toString());
    }
    labels.put("containerd.io/gc.root", Instant.now().toString());
    store.write(index.digest(), index.bytes(), labels);
    entries.add(
        new ArtifactEntry(
            index.digest(),
            index.bytes().length,
            imageDesc.digest(),
            imageDesc.digest(),
            platform.toString(),
            location,
            ArtifactType.SOCI_INDEX,
            MediaTypes.OCI_MANIFEST,
            version.artifactType(),
            Instant.now(),
            opts.spanSize(),
            imageRef));
    db.put(entries);
    return new Result(imageDesc, platform, outcomes, Optional.of(index));
  }

  /** One layer's outcome and the artifacts-database entries it adds. */
  private record Built(LayerOutcome outcome, List<ArtifactEntry> entries) {}

  /**
   * Hands {@code done} the outcome of every layer, in layer order, each as soon as it and every
   * layer before it are built. zTOC builds are CPU-bound (inflating the whole layer), so up to
   * {@link #parallelism} layers are built at once. The first failure (in layer order) cancels the
   * builds still waiting for a slot and is thrown once the running ones have ended.
   */
  private void indexLayers(
      List<Descriptor> layers,
      IndexOptions opts,
      Descriptor imageDesc,
      Platform platform,
      Consumer<Built> done)
      throws IOException {
    Semaphore slots = new Semaphore(parallelism);
    List<Future<Built>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Descriptor layer : layers) {
        futures.add(
            pool.submit(
                () -> {
                  slots.acquire();
                  try {
                    List<ArtifactEntry> entries = new ArrayList<>();
                    return new Built(
                        indexLayer(layer, opts, imageDesc, platform, entries), entries);
                  } finally {
                    slots.release();
                  }
                }));
      }
      for (Future<Built> f : futures) {
        Built b;
        try {
          b = result(f);
        } catch (IOException | RuntimeException e) {
          futures.forEach(other -> other.cancel(true));
          throw e;
        }
        done.accept(b);
      }
    }
  }

  private static Built result(Future<Built> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while building zTOCs");
    } catch (ExecutionException e) {
      switch (e.getCause()) {
        case IOException io -> throw io;
        case RuntimeException re -> throw re;
        case Error er -> throw er;
        default -> throw new IOException(e.getCause());
      }
    }
  }

  private LayerOutcome indexLayer(
      Descriptor layer,
      IndexOptions opts,
      Descriptor imageDesc,
      Platform platform,
      List<ArtifactEntry> entries)
      throws IOException {
    if (layer.size() < opts.minLayerSize()) {
      return new LayerOutcome.Skipped(
          layer,
          "layer "
              + layer.digest()
              + " ("
              + layer.mediaType()
              + ") size "
              + layer.size()
              + " is less than min-layer-size "
              + opts.minLayerSize());
    }
    MediaTypes.Compression compression = MediaTypes.layerCompression(layer.mediaType());
    if (compression == MediaTypes.Compression.ZSTD) {
      return new LayerOutcome.Skipped(
          layer,
          "layer "
              + layer.digest()
              + " is zstd-compressed ("
              + layer.mediaType()
              + "); SOCI indexes gzip and uncompressed layers only");
    }
    if (!opts.force()) {
      Optional<Descriptor> reused = existingZtoc(layer, opts);
      if (reused.isPresent()) {
        return new LayerOutcome.Indexed(layer, reused.get(), true, List.of());
      }
    }
    ZtocMaker.Made made;
    try (InputStream in = layers.open(layer)) {
      made = maker.make(layer, compression, in, opts.spanSize(), opts.fileCheckpoints());
    } catch (ZtocMaker.UnsupportedLayerException e) {
      return new LayerOutcome.Skipped(layer, "layer " + layer.digest() + ": " + e.getMessage());
    }
    Digest ztocDigest = Digest.sha256(made.bytes());
    store.write(ztocDigest, made.bytes(), Map.of());
    Descriptor ztoc =
        ztocDescriptor(layer, ztocDigest, made.bytes().length, opts, made.needsXattrs());
    entries.add(
        new ArtifactEntry(
            ztocDigest,
            made.bytes().length,
            layer.digest(),
            imageDesc.digest(),
            platform.toString(),
            location,
            ArtifactType.SOCI_LAYER,
            MediaTypes.SOCI_ZTOC,
            null,
            Instant.now(),
            opts.spanSize(),
            null));
    return new LayerOutcome.Indexed(layer, ztoc, false, made.warnings());
  }

  /**
   * Stores the {@link ZtocSkeleton} of each gzip layer's zTOC and answers their descriptors, in
   * layer order, each annotated with its layer as zTOCs are. Content-addressed and rebuilt from the
   * stored zTOC, so a reused zTOC gets the same skeleton; not in the artifacts database, whose
   * types are the reference's (containerd's gc labels of the index keep them).
   */
  private List<Descriptor> skeletons(List<LayerOutcome.Indexed> indexed) throws IOException {
    List<Descriptor> out = new ArrayList<>();
    for (LayerOutcome.Indexed ix : indexed) {
      ZtocSkeleton sk;
      try {
        sk = ZtocSkeleton.of(store.readAll(ix.ztoc().digest()));
      } catch (ZtocException e) {
        throw ztocError(ix, "", e);
      }
      if (sk != null) {
        out.add(storeLayerArtifact(ZtocSkeleton.MEDIA_TYPE, sk.toBytes(), ix.layer().digest()));
      }
    }
    return out;
  }

  // a stored zTOC of an indexed layer that does not decode, named with the layer and (if not
  // empty) what it was read for
  private static IOException ztocError(LayerOutcome.Indexed ix, String purpose, ZtocException e) {
    return new IOException(
        "zTOC "
            + ix.ztoc().digest()
            + " of layer "
            + ix.layer().digest()
            + purpose
            + ": "
            + e.getMessage(),
        e);
  }

  // stores an artifact of one layer and answers its descriptor, annotated with the layer
  private Descriptor storeLayerArtifact(String mediaType, byte[] bytes, Digest layer)
      throws IOException {
    Digest digest = Digest.sha256(bytes);
    store.write(digest, bytes, Map.of());
    return Descriptor.of(mediaType, digest, bytes.length)
        .withAnnotations(Map.of(MediaTypes.ANN_IMAGE_LAYER_DIGEST, layer.toString()));
  }

  /**
   * Stores one prefetch artifact per layer holding a requested path, recorded in the artifacts
   * database the way the reference records them (type soci_prefetch, original digest = the layer).
   */
  private List<LayerOutcome.Prefetched> prefetch(
      List<LayerOutcome.Indexed> indexed, IndexOptions opts, List<ArtifactEntry> entries)
      throws IOException {
    List<PrefetchPlanner.IndexedLayer> layers = new ArrayList<>();
    Map<Digest, Descriptor> layerDescs = new LinkedHashMap<>();
    for (LayerOutcome.Indexed ix : indexed) {
      Ztoc ztoc;
      try {
        ztoc = ZtocCodec.decode(store.readAll(ix.ztoc().digest()));
      } catch (ZtocException e) {
        throw ztocError(ix, " cannot be read for prefetch", e);
      }
      layers.add(new PrefetchPlanner.IndexedLayer(ix.layer().digest(), ztoc));
      layerDescs.put(ix.layer().digest(), ix.layer());
    }
    List<LayerOutcome.Prefetched> out = new ArrayList<>();
    Map<Digest, PrefetchArtifact> planned = PrefetchPlanner.plan(layers, opts.prefetchPaths());
    if (!opts.recordings().isEmpty()) {
      planned = RecordPlanner.plan(layers, opts.recordings(), planned);
    }
    for (Map.Entry<Digest, PrefetchArtifact> e : planned.entrySet()) {
      byte[] json = e.getValue().toJson();
      Descriptor desc = storeLayerArtifact(PrefetchArtifact.MEDIA_TYPE, json, e.getKey());
      entries.add(
          new ArtifactEntry(
              desc.digest(),
              json.length,
              e.getKey(),
              null,
              null,
              location,
              ArtifactType.SOCI_PREFETCH,
              PrefetchArtifact.MEDIA_TYPE,
              null,
              Instant.now(),
              0,
              null));
      out.add(new LayerOutcome.Prefetched(layerDescs.get(e.getKey()), desc, e.getValue()));
    }
    return out;
  }

  private Optional<Descriptor> existingZtoc(Descriptor layer, IndexOptions opts)
      throws IOException {
    for (ArtifactEntry e :
        db.find(
            e ->
                e.type() == ArtifactType.SOCI_LAYER
                    && layer.digest().equals(e.originalDigest())
                    && e.spanSize() == opts.spanSize())) {
      if (store.exists(e.digest()) && builtAsAsked(e.digest(), opts)) {
        // The xattr flag is recomputed only on rebuild; a reused zTOC keeps the plain descriptor.
        return Optional.of(ztocDescriptor(layer, e.digest(), e.size(), opts, true));
      }
    }
    return Optional.empty();
  }

  // a stored zTOC is reused only if it was built with checkpoints at file starts exactly when
  // these options ask for them (its producer says which)
  private boolean builtAsAsked(Digest ztoc, IndexOptions opts) throws IOException {
    String producer;
    try {
      producer = ZtocCodec.buildToolIdentifier(store.readAll(ztoc));
    } catch (ZtocException e) {
      return false; // rebuilt
    }
    return producer.equals(Ztoc.BUILD_TOOL_IDENTIFIER_FILE_CHECKPOINTS) == opts.fileCheckpoints();
  }

  static Descriptor ztocDescriptor(
      Descriptor layer, Digest ztoc, long size, IndexOptions opts, boolean needsXattrs) {
    Map<String, String> ann = new LinkedHashMap<>();
    ann.put(MediaTypes.ANN_IMAGE_LAYER_DIGEST, layer.digest().toString());
    ann.put(MediaTypes.ANN_IMAGE_LAYER_MEDIA_TYPE, layer.mediaType());
    ann.put(MediaTypes.ANN_SPAN_SIZE, Long.toString(opts.spanSize()));
    if (opts.xattrOptimization() && !needsXattrs) {
      ann.put(MediaTypes.ANN_DISABLE_XATTRS, "true");
    }
    return Descriptor.of(MediaTypes.SOCI_ZTOC, ztoc, size).withAnnotations(ann);
  }
}
