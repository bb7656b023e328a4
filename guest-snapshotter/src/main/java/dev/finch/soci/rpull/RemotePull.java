package dev.finch.soci.rpull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.ContainerdException;
import dev.finch.soci.containerd.ContainerdMount;
import dev.finch.soci.containerd.Image;
import dev.finch.soci.containerd.SnapshotClient;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.Platform;
import dev.finch.soci.registry.ManifestBytes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.util.Futures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code soci image rpull}: pulls an image into containerd the way containerd's own pull and
 * unpacker do ({@code rootfs/apply.go}, {@code unpacker.go}), but with the SOCI labels on every
 * layer Prepare, so a remote snapshotter can answer ALREADY_EXISTS and the layer is never
 * downloaded.
 *
 * <ol>
 *   <li>resolve the reference and the platform manifest in the registry;
 *   <li>store config, manifest and index (if any) in containerd's content store with the {@code
 *       containerd.io/gc.ref.content.*} labels that keep them and their children alive, then create
 *       or update the image record {@code <normalised ref>} pointing at the top descriptor; this
 *       runs while the layers are prepared (the next step), which do not need it;
 *   <li>for each layer, bottom up: skip if the chain-ID snapshot exists (asked only up to the first
 *       missing one: none above it can exist); otherwise Prepare {@code extract-<unique> <chainID>}
 *       on the parent chain ID with the labels of {@link LayerLabels}. ALREADY_EXISTS means the
 *       snapshotter prepared it; else fetch the blob into the content store, apply it with the diff
 *       service onto the returned mounts (diff ID checked) and commit it as the chain ID;
 *   <li>label the config {@code containerd.io/gc.ref.snapshot.<snapshotter>=<top chainID>} so the
 *       snapshots survive garbage collection.
 * </ol>
 *
 * <p>The caller supplies a containerd client working under a lease, so nothing is collected before
 * the image references it.
 */
public final class RemotePull {
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * What to pull.
   *
   * @param snapshotter containerd snapshotter name, {@code soci} by default
   * @param sociIndex explicit SOCI index digest, or null to let the snapshotter discover it
   */
  public record Options(String snapshotter, Platform platform, Digest sociIndex) {
    public Options {
      Objects.requireNonNull(snapshotter, "snapshotter");
      Objects.requireNonNull(platform, "platform");
    }
  }

  /**
   * What was pulled.
   *
   * @param bytesFetched bytes downloaded from the registry (manifests, config, layers)
   */
  public record Result(
      String imageName,
      Descriptor target,
      Digest manifest,
      Digest chainId,
      List<PullListener.LayerStatus> layers,
      long bytesFetched) {}

  private final java.util.function.Supplier<ContainerdClient> connection;
  private final RegistryClient registry;
  private ContainerdClient containerd;

  public RemotePull(ContainerdClient containerd, RegistryClient registry) {
    this(() -> containerd, registry);
  }

  /**
   * With a containerd connection that is made on first use (or is being made meanwhile, say on
   * another thread while the registry resolves the image): the registry work comes first.
   */
  public RemotePull(
      java.util.function.Supplier<ContainerdClient> containerd, RegistryClient registry) {
    this.connection = containerd;
    this.registry = registry;
  }

  /**
   * Where to announce each layer Prepare as soon as the manifest is known (see {@link
   * dev.finch.soci.snapshot.RemotePreparer#expect}): an rpull running inside the snapshotter lets
   * it fetch the index and zTOCs while this pull talks to containerd. Only for the {@code soci}
   * snapshotter.
   */
  public RemotePull expecting(java.util.function.Consumer<Map<String, String>> hint) {
    this.hint = Objects.requireNonNull(hint, "hint");
    return this;
  }

  private java.util.function.Consumer<Map<String, String>> hint = labels -> {};

  /**
   * Runs the pull; failures are {@link dev.finch.soci.registry.RegistryException}s or {@link
   * ContainerdException}s.
   */
  public Result pull(ImageRef ref, Options options, PullListener progress) {
    // the content is stored on another thread, which reports through the same listener
    PullListener listener = new SynchronizedListener(progress);
    long[] fetched = {0};
    ManifestBytes top = registry.fetchManifest(ref);
    fetched[0] += top.bytes().length;
    listener.resolved(ref.toString(), top.descriptor());
    ManifestBytes platformManifest = top;
    if (top.isIndex()) {
      platformManifest =
          registry.resolveImageManifest(
              ref.withDigest(top.descriptor().digest()), options.platform());
      fetched[0] += platformManifest.bytes().length;
    }
    Manifest manifest = platformManifest.manifest();
    if (options.snapshotter().equals("soci")) {
      for (Descriptor layer : manifest.layers()) {
        hint.accept(
            LayerLabels.identifying(
                ref.toString(),
                platformManifest.descriptor().digest(),
                layer.digest(),
                options.sociIndex()));
      }
    }
    Descriptor configDesc = manifest.config();
    byte[] config = fetchSmallBlob(ref, configDesc);
    fetched[0] += config.length;
    List<Digest> diffIds = diffIds(configDesc, config);
    List<Descriptor> layers = manifest.layers();
    if (diffIds.size() != layers.size()) {
      throw new IllegalArgumentException(
          "image config "
              + configDesc.digest()
              + " lists "
              + diffIds.size()
              + " diff ids for "
              + layers.size()
              + " layers");
    }

    containerd = connection.get();
    // The snapshotter needs none of this content to prepare the layers (it reads the registry), so
    // it
    // is stored while the layers are prepared: the first Prepare, where lazy loading starts, is not
    // kept waiting behind several content-store round trips.
    ManifestBytes pm = platformManifest;
    Descriptor md = platformManifest.descriptor();
    String name = ref.toString();
    java.util.concurrent.CompletableFuture<Void> stored =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> storeContent(name, top, pm, configDesc, config, layers, listener),
            Thread::startVirtualThread);
    SnapshotClient snapshots = containerd.snapshots(options.snapshotter());
    List<Digest> chain = ChainIds.of(diffIds);
    List<PullListener.LayerStatus> statuses = new ArrayList<>();
    try {
      // Once a layer's snapshot is missing, so is every one above it (a snapshot's chain ID names
      // its parent's, and a snapshot needs its parent committed): no need to ask for them.
      boolean mayExist = true;
      for (int i = 0; i < layers.size(); i++) {
        Map<String, String> labels =
            LayerLabels.forLayer(chain.get(i), name, md.digest(), layers, i, options.sociIndex());
        String parent = i == 0 ? "" : chain.get(i - 1).toString();
        PullListener.LayerStatus status =
            unpackLayer(
                ref,
                snapshots,
                layers.get(i),
                diffIds.get(i),
                chain.get(i),
                parent,
                labels,
                fetched,
                mayExist);
        mayExist &= status == PullListener.LayerStatus.EXISTS;
        statuses.add(status);
        listener.layer(layers.get(i), status);
      }
    } catch (RuntimeException e) {
      stored
          .exceptionally(
              x -> {
                e.addSuppressed(x);
                return null;
              })
          .join();
      throw e;
    }
    Futures.join(stored);
    Digest topChain = chain.isEmpty() ? null : chain.getLast();
    if (topChain != null) {
      containerd
          .content()
          .updateLabels(
              configDesc.digest(),
              Map.of(
                  "containerd.io/gc.ref.snapshot." + options.snapshotter(), topChain.toString()));
    }
    return new Result(
        name, top.descriptor(), md.digest(), topChain, List.copyOf(statuses), fetched[0]);
  }

  // config, manifest and index into the content store (the gc labels keep their children), then the
  // image record
  private void storeContent(
      String name,
      ManifestBytes top,
      ManifestBytes platformManifest,
      Descriptor configDesc,
      byte[] config,
      List<Descriptor> layers,
      PullListener listener) {
    containerd
        .content()
        .writeBlob("rpull-" + configDesc.digest(), configDesc.digest(), config, Map.of());
    listener.stored("config", configDesc);
    Map<String, String> manifestLabels = new LinkedHashMap<>();
    manifestLabels.put("containerd.io/gc.ref.content.config", configDesc.digest().toString());
    for (int i = 0; i < layers.size(); i++) {
      manifestLabels.put("containerd.io/gc.ref.content.l." + i, layers.get(i).digest().toString());
    }
    Descriptor md = platformManifest.descriptor();
    containerd
        .content()
        .writeBlob("rpull-" + md.digest(), md.digest(), platformManifest.bytes(), manifestLabels);
    listener.stored("manifest", md);
    if (top.isIndex()) {
      containerd
          .content()
          .writeBlob(
              "rpull-" + top.descriptor().digest(),
              top.descriptor().digest(),
              top.bytes(),
              Map.of("containerd.io/gc.ref.content.m.0", md.digest().toString()));
      listener.stored("index", top.descriptor());
    }
    containerd.images().createOrUpdate(Image.of(name, top.descriptor().bare(), Map.of()));
  }

  /** Calls the listener one event at a time. */
  private record SynchronizedListener(PullListener inner) implements PullListener {
    @Override
    public synchronized void resolved(String ref, Descriptor top) {
      inner.resolved(ref, top);
    }

    @Override
    public synchronized void stored(String kind, Descriptor blob) {
      inner.stored(kind, blob);
    }

    @Override
    public synchronized void layer(Descriptor layer, LayerStatus status) {
      inner.layer(layer, status);
    }
  }

  /**
   * How many keys a layer's Prepare is tried with when containerd answers ALREADY_EXISTS but the
   * snapshot is not there, as containerd's own unpacker does; then the pull fails, naming why.
   */
  static final int PREPARE_ATTEMPTS = 3;

  private PullListener.LayerStatus unpackLayer(
      ImageRef ref,
      SnapshotClient snapshots,
      Descriptor layer,
      Digest diffId,
      Digest chainId,
      String parent,
      Map<String, String> labels,
      long[] fetched,
      boolean mayExist) {
    if (mayExist && exists(snapshots, chainId)) {
      return PullListener.LayerStatus.EXISTS;
    }
    for (int attempt = 1; ; attempt++) {
      String key = "extract-" + uniquePart() + " " + chainId;
      List<ContainerdMount> mounts;
      try {
        mounts = snapshots.prepare(key, parent, labels);
      } catch (ContainerdException e) {
        if (!e.is(ContainerdException.Kind.ALREADY_EXISTS)) {
          throw e;
        }
        if (exists(snapshots, chainId)) {
          return PullListener.LayerStatus.REMOTE;
        }
        if (attempt >= PREPARE_ATTEMPTS) {
          // Not a key clash (each attempt has a new key): containerd's metadata has the layer's
          // snapshot and the snapshotter has not, e.g. after the snapshotter's root was removed.
          throw new ContainerdException(
              ContainerdException.Kind.ALREADY_EXISTS,
              "preparing layer "
                  + layer.digest()
                  + ": containerd says snapshot "
                  + chainId
                  + " exists, but it cannot be found ("
                  + attempt
                  + " attempts): containerd's metadata and the snapshotter disagree (was the"
                  + " snapshotter's root removed?); remove the image and its snapshots, then pull"
                  + " again",
              e);
        }
        continue; // the key itself was taken: try another, as containerd's unpacker does
      }
      try {
        fetched[0] += ensureBlob(ref, layer);
        Descriptor applied = containerd.diff().apply(layer.bare(), mounts);
        if (!applied.digest().equals(diffId)) {
          throw new IllegalStateException(
              "wrong diff id calculated on extraction of "
                  + layer.digest()
                  + ": expected "
                  + diffId
                  + ", got "
                  + applied.digest());
        }
        snapshots.commit(chainId.toString(), key, labels);
        return PullListener.LayerStatus.APPLIED;
      } catch (RuntimeException e) {
        try {
          snapshots.remove(key);
        } catch (RuntimeException removeFailure) {
          e.addSuppressed(removeFailure);
        }
        throw e;
      }
    }
  }

  private static boolean exists(SnapshotClient snapshots, Digest chainId) {
    try {
      snapshots.stat(chainId.toString());
      return true;
    } catch (ContainerdException e) {
      if (e.is(ContainerdException.Kind.NOT_FOUND)) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Streams the layer blob from the registry into the content store unless it is there; returns
   * bytes fetched.
   */
  private long ensureBlob(ImageRef ref, Descriptor layer) {
    if (containerd.content().find(layer.digest()).isPresent()) {
      return 0;
    }
    try (InputStream in = registry.openBlob(ref.repository(), layer.digest())) {
      containerd
          .content()
          .writeBlob("rpull-" + layer.digest(), layer.digest(), layer.size(), in, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException("fetch layer " + layer.digest() + ": " + e.getMessage(), e);
    }
    return layer.size();
  }

  private byte[] fetchSmallBlob(ImageRef ref, Descriptor d) {
    try (InputStream in = registry.openBlob(ref.repository(), d.digest())) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("fetch " + d.digest() + ": " + e.getMessage(), e);
    }
  }

  private static List<Digest> diffIds(Descriptor configDesc, byte[] config) {
    JsonNode ids;
    try {
      ids = Json.MAPPER.readTree(config).path("rootfs").path("diff_ids");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "image config " + configDesc.digest() + " is not valid JSON", e);
    }
    if (!ids.isArray()) {
      throw new IllegalArgumentException(
          "image config " + configDesc.digest() + " has no rootfs.diff_ids");
    }
    List<Digest> out = new ArrayList<>();
    ids.forEach(n -> out.add(Digest.parse(n.asText())));
    return out;
  }

  /** containerd's {@code uniquePart}: nanoseconds and 3 random bytes, URL-safe base64. */
  static String uniquePart() {
    byte[] b = new byte[3];
    RANDOM.nextBytes(b);
    return System.nanoTime() % 1_000_000_000L + "-" + Base64.getUrlEncoder().encodeToString(b);
  }
}
