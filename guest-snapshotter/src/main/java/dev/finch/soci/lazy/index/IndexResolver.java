package dev.finch.soci.lazy.index;

import dev.finch.soci.index.PrefetchArtifact;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.lazy.mount.CheckpointWindows;
import dev.finch.soci.lazy.mount.ZtocWindows;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.spi.PluginConfig;
import dev.finch.soci.util.Futures;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Finds the SOCI index of an image manifest and fetches the artifacts it names. The index is, in
 * this order:
 *
 * <ol>
 *   <li>the one an earlier resolution recorded under the daemon root (so a restart needs no
 *       registry);
 *   <li>the snapshot's {@code containerd.io/snapshot/remote/soci.index.digest} label, as {@code
 *       soci rpull} and {@code nerdctl} set it;
 *   <li>with {@code [pull_modes.soci_v2]}: the image manifest's {@code
 *       com.amazon.soci.index-digest} annotation (what {@code soci convert} writes);
 *   <li>with {@code [pull_modes.soci_v1]}: the last v1 index among the manifest's referrers, from
 *       the referrers API or, on a registry without it, the {@code sha256-<hex>} fallback tag.
 * </ol>
 *
 * The v1 lookup starts together with the v2 one, and is used only when v2 finds nothing. A manifest
 * without an index is remembered: asked again, the resolver answers at once. Callers that ask for
 * one manifest at the same time share one resolution.
 */
public final class IndexResolver {
  private final ArtifactCache artifacts;
  private final Function<ImageRef, RegistryClient> clients;
  private final PluginConfig.PullModes modes;
  private final Map<Digest, String> noIndex = new ConcurrentHashMap<>();
  private final Map<Digest, CompletableFuture<SociIndex>> resolving = new ConcurrentHashMap<>();
  private final Map<Digest, StagedZtoc> sparse = new ConcurrentHashMap<>();

  /**
   * @param artifacts where indexes, zTOCs and prefetch artifacts are kept
   * @param clients the registry client of an image's host
   * @param modes which registry lookups are on
   */
  public IndexResolver(
      ArtifactCache artifacts,
      Function<ImageRef, RegistryClient> clients,
      PluginConfig.PullModes modes) {
    this.artifacts = artifacts;
    this.clients = clients;
    this.modes = modes;
  }

  /**
   * The SOCI index of image manifest {@code manifest} of {@code ref}.
   *
   * @param label the snapshot's index label, or null
   * @throws NoIndexException when no source has one
   */
  public SociIndex resolve(ImageRef ref, Digest manifest, String label) throws IOException {
    String known = noIndex.get(manifest);
    if (known != null) {
      throw new NoIndexException(known);
    }
    try {
      return shared(ref, manifest, label);
    } catch (NoIndexException e) {
      noIndex.put(manifest, e.getMessage());
      throw e;
    }
  }

  private SociIndex shared(ImageRef ref, Digest manifest, String label) throws IOException {
    CompletableFuture<SociIndex> mine = new CompletableFuture<>();
    CompletableFuture<SociIndex> running = resolving.putIfAbsent(manifest, mine);
    if (running != null) {
      try {
        return running.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof NoIndexException n) {
          throw new NoIndexException(n.getMessage());
        }
        // the other caller failed otherwise (the registry, say): try once more, report our own
        // failure
        return discover(ref, manifest, label);
      }
    }
    try {
      SociIndex index = discover(ref, manifest, label);
      mine.complete(index);
      return index;
    } catch (IOException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      resolving.remove(manifest, mine);
    }
  }

  private SociIndex discover(ImageRef ref, Digest manifest, String label) throws IOException {
    String note = "index-" + manifest.hex();
    String recorded = artifacts.readNote(note);
    Digest found = recorded != null ? Digest.parse(recorded) : null;
    if (found == null && label != null && !label.isBlank()) {
      found = Digest.parse(label);
    }
    RegistryClient client = clients.apply(ref);
    if (found == null) {
      found = fromRegistry(client, ref.repository(), manifest);
    }
    Digest d = found;
    SociIndex index =
        SociIndex.parse(
            artifacts.get(d, out -> out.write(client.fetchManifest(ref.repository(), d).bytes())));
    artifacts.writeNote(note, d.toString());
    return index;
  }

  // the v2 annotation, else the v1 referrers; both lookups run at once
  private Digest fromRegistry(RegistryClient client, String repository, Digest manifest)
      throws NoIndexException {
    CompletableFuture<Digest> v1 =
        modes.sociV1Enable()
            ? CompletableFuture.supplyAsync(
                () -> {
                  List<Descriptor> r =
                      client.referrers(repository, manifest, MediaTypes.SOCI_INDEX_V1);
                  return r.isEmpty() ? null : r.getLast().digest();
                },
                Thread::startVirtualThread)
            : CompletableFuture.completedFuture(null);
    if (modes.sociV2Enable()) {
      String annotation =
          client
              .fetchManifest(repository, manifest)
              .manifest()
              .annotation(MediaTypes.ANN_INDEX_DIGEST);
      if (annotation != null) {
        return Digest.parse(annotation);
      }
    }
    Digest v1Index = Futures.join(v1);
    if (v1Index != null) {
      return v1Index;
    }
    List<String> looked = new ArrayList<>(List.of("no index label"));
    if (modes.sociV2Enable()) {
      looked.add("no " + MediaTypes.ANN_INDEX_DIGEST + " annotation");
    }
    if (modes.sociV1Enable()) {
      looked.add("no v1 index among its referrers");
    }
    if (!modes.sociV1Enable() && !modes.sociV2Enable()) {
      looked.add("pull modes soci_v1 and soci_v2 both off");
    }
    throw new NoIndexException(
        "no SOCI index found for image manifest " + manifest + ": " + String.join(", ", looked));
  }

  /**
   * The zTOC, mapped from the artifact cache (fetched into it from the registry first if need be).
   */
  public MappedByteBuffer ztoc(ImageRef ref, Descriptor ztoc) throws IOException {
    RegistryClient client = clients.apply(ref);
    return artifacts.map(
        ztoc.digest(), out -> client.fetchBlob(ref.repository(), ztoc.digest(), out));
  }

  /**
   * A layer's zTOC as its mount needs it: from its skeleton (the zTOC without its checkpoint
   * windows, which are then fetched with their spans) when the index lists one and the whole zTOC
   * is not cached already; else the whole zTOC ({@link #ztoc}). One per zTOC for the daemon's life.
   *
   * @param bytes the zTOC's bytes, mapped (windows not yet fetched read as zeros)
   * @param windows what fills the windows in; {@link CheckpointWindows#NONE} for a whole zTOC
   */
  public record StagedZtoc(MappedByteBuffer bytes, CheckpointWindows windows) {}

  /** {@link StagedZtoc} of {@code layer} in {@code index}, or null when it has no zTOC. */
  public StagedZtoc staged(ImageRef ref, SociIndex index, Digest layer) throws IOException {
    Descriptor ztoc = index.ztocFor(layer);
    if (ztoc == null) {
      return null;
    }
    Descriptor skeleton = index.skeletonFor(layer);
    if (skeleton == null || artifacts.has(ztoc.digest())) {
      return new StagedZtoc(ztoc(ref, ztoc), CheckpointWindows.NONE);
    }
    StagedZtoc known = sparse.get(ztoc.digest());
    if (known != null) {
      return known;
    }
    RegistryClient client = clients.apply(ref);
    ArtifactCache.Sparse s =
        artifacts.sparse(
            ztoc.digest(),
            ztoc.size(),
            skeleton.digest(),
            out -> client.fetchBlob(ref.repository(), skeleton.digest(), out));
    StagedZtoc fresh =
        new StagedZtoc(s.bytes(), new ZtocWindows(s.skeleton(), s.file(), s.fresh()));
    StagedZtoc raced = sparse.putIfAbsent(ztoc.digest(), fresh);
    if (raced != null) {
      fresh.windows().close();
      return raced;
    }
    return fresh;
  }

  /** A layer's prefetch artifact, through the artifact cache. */
  public PrefetchArtifact prefetchArtifact(ImageRef ref, Descriptor artifact) throws IOException {
    RegistryClient client = clients.apply(ref);
    return PrefetchArtifact.parse(
        artifacts.get(
            artifact.digest(), out -> client.fetchBlob(ref.repository(), artifact.digest(), out)));
  }

  /**
   * Fetches the index and the layer's zTOC into the cache ahead of the layer's Prepare, which then
   * finds them there. Failures are dropped: the Prepare tries again and reports them.
   */
  public void fetchAhead(ImageRef ref, Digest manifest, String label, Digest layer) {
    try {
      staged(ref, resolve(ref, manifest, label), layer);
    } catch (IOException | RuntimeException e) {
      // the Prepare itself tries again and reports what fails
    }
  }
}
