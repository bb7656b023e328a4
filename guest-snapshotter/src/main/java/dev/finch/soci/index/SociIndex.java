package dev.finch.soci.index;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A SOCI index: an OCI image manifest whose config is the empty {@code {}} blob typed with the SOCI
 * artifact type, and whose layers are the zTOCs (in image layer order) and prefetch artifacts (the
 * ones we build list them first, see {@link IndexCreator}). Serialized exactly as the reference
 * does (Go json.Marshal of ocispec.Manifest), so the same zTOCs give the same index digest.
 *
 * <pre>{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
 *  "config":{"mediaType":"application/vnd.amazon.soci.index.v1+json","digest":"sha256:4413...","size":2},
 *  "layers":[{"mediaType":"application/octet-stream","digest":"sha256:...","size":1992,
 *    "annotations":{"com.amazon.soci.image-layer-digest":"sha256:...",
 *      "com.amazon.soci.image-layer-mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",
 *      "com.amazon.soci.span-size":"4194304"}}],
 *  "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:...","size":123},
 *  "annotations":{"com.amazon.soci.build-tool-identifier":"AWS SOCI CLI v0.2"}}</pre>
 */
public record SociIndex(Manifest manifest, byte[] bytes, Digest digest) {
  /** The build tool identifier the reference CLI writes. */
  public static final String BUILD_TOOL = "AWS SOCI CLI v0.2";

  /** The {@code {}} config blob content. */
  public static final byte[] EMPTY_CONFIG = {'{', '}'};

  /** SOCI index manifest version, carried in the config media type. */
  public enum Version {
    V1(MediaTypes.SOCI_INDEX_V1),
    V2(MediaTypes.SOCI_INDEX_V2);

    private final String artifactType;

    Version(String artifactType) {
      this.artifactType = artifactType;
    }

    public String artifactType() {
      return artifactType;
    }

    public static Version ofArtifactType(String type) throws IOException {
      for (Version v : values()) {
        if (v.artifactType.equals(type)) {
          return v;
        }
      }
      throw new IOException("unknown index version: config media type " + Json.oneLine(type));
    }
  }

  /**
   * Builds the index manifest. {@code subject} is required for v1 (the platform image manifest) and
   * must be null for v2.
   */
  public static SociIndex build(
      Version version, List<Descriptor> ztocsAndPrefetch, Descriptor subject, String buildTool) {
    if ((version == Version.V1) != (subject != null)) {
      throw new IllegalArgumentException(
          "a v1 SOCI index needs a subject and a v2 index must not have one");
    }
    if (ztocsAndPrefetch.isEmpty()) {
      throw new IllegalArgumentException(
          "no ztocs created, all layers either skipped or produced errors");
    }
    Descriptor config =
        Descriptor.of(version.artifactType(), MediaTypes.EMPTY_JSON_DIGEST, EMPTY_CONFIG.length);
    Manifest m =
        new Manifest(
            2,
            MediaTypes.OCI_MANIFEST,
            null,
            config,
            ztocsAndPrefetch,
            subject == null ? null : subject.bare(),
            Map.of(MediaTypes.ANN_BUILD_TOOL, buildTool));
    byte[] bytes = Json.bytes(m);
    return new SociIndex(m, bytes, Digest.sha256(bytes));
  }

  /** Parses index bytes, rejecting anything whose config type is not a SOCI index type. */
  public static SociIndex parse(byte[] bytes) throws IOException {
    Manifest m;
    try {
      m = Json.read(bytes, Manifest.class);
    } catch (IOException e) {
      throw new IOException("not a SOCI index: " + Json.problem(e));
    }
    if (m == null || m.config() == null) {
      throw new IOException("not a SOCI index: manifest has no config");
    }
    Version.ofArtifactType(m.config().mediaType());
    return new SociIndex(m, bytes, Digest.sha256(bytes));
  }

  public Version version() {
    try {
      return Version.ofArtifactType(manifest.config().mediaType());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The zTOC descriptors (media type application/octet-stream) in layer order. */
  public List<Descriptor> ztocs() {
    return manifest.layers().stream()
        .filter(d -> MediaTypes.SOCI_ZTOC.equals(d.mediaType()))
        .toList();
  }

  /** The zTOC descriptor for an image layer, or null if the layer has none. */
  public Descriptor ztocFor(Digest layer) {
    return forLayer(ztocs(), layer);
  }

  /**
   * The prefetch artifact descriptors (media type {@link PrefetchArtifact#MEDIA_TYPE}) in the order
   * listed, before or after the zTOCs; each names its layer in {@code
   * com.amazon.soci.image-layer-digest}.
   */
  public List<Descriptor> prefetches() {
    return manifest.layers().stream()
        .filter(d -> PrefetchArtifact.MEDIA_TYPE.equals(d.mediaType()))
        .toList();
  }

  /** The prefetch artifact descriptor for an image layer, or null if the index has none for it. */
  public Descriptor prefetchFor(Digest layer) {
    return forLayer(prefetches(), layer);
  }

  /**
   * The zTOC skeleton descriptor (media type {@link dev.finch.soci.ztoc.ZtocSkeleton#MEDIA_TYPE},
   * our own) for an image layer, or null if the index has none for it.
   */
  public Descriptor skeletonFor(Digest layer) {
    return forLayer(
        manifest.layers().stream()
            .filter(d -> dev.finch.soci.ztoc.ZtocSkeleton.MEDIA_TYPE.equals(d.mediaType()))
            .toList(),
        layer);
  }

  // The first descriptor whose com.amazon.soci.image-layer-digest names the layer, or null.
  private static Descriptor forLayer(List<Descriptor> descriptors, Digest layer) {
    String key = layer.toString();
    for (Descriptor d : descriptors) {
      if (key.equals(d.annotation(MediaTypes.ANN_IMAGE_LAYER_DIGEST))) {
        return d;
      }
    }
    return null;
  }

  /**
   * Descriptor of this index as it is referenced from elsewhere (an OCI index, a referrers list).
   */
  public Descriptor descriptor() {
    return Descriptor.of(MediaTypes.OCI_MANIFEST, digest, bytes.length);
  }
}
