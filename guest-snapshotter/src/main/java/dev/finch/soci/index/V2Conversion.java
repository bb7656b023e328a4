package dev.finch.soci.index;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The image rewrite of {@code soci convert} (SOCI index manifest v2): the result is a new OCI image
 * index whose image manifests carry {@code com.amazon.soci.index-digest} (which changes their
 * digests) and which lists each SOCI index after the images, with the platform and the new image
 * manifest digest. Pure: callers supply the blobs and store the outputs.
 */
public final class V2Conversion {
  private V2Conversion() {}

  /** Looks up a stored manifest by digest; returns null when it is not present locally. */
  @FunctionalInterface
  public interface ManifestLookup {
    byte[] find(Digest digest) throws IOException;
  }

  /** A built v2 SOCI index for the image manifest {@code imageDigest} (the original digest). */
  public record PlatformIndex(Digest imageDigest, Platform platform, SociIndex index) {}

  /** A blob to store: rewritten manifests and the new OCI index. */
  public record Blob(Descriptor descriptor, byte[] bytes) {}

  /** The new image index and every new blob (rewritten manifests first, the index last). */
  public record Result(Blob index, List<Blob> manifests) {}

  /**
   * Converts the image whose top-level content is {@code top} ({@code topBytes}): an OCI index, a
   * Docker manifest list, or a single manifest (then {@code singlePlatform} describes it).
   */
  public static Result convert(
      Descriptor top,
      byte[] topBytes,
      Platform singlePlatform,
      List<PlatformIndex> indexes,
      ManifestLookup lookup)
      throws IOException {
    List<Descriptor> sources;
    Map<String, String> indexAnnotations = null;
    if (MediaTypes.isIndex(top.mediaType())) {
      ImageIndex src = Json.read(topBytes, ImageIndex.class);
      sources = src.manifests();
      indexAnnotations = src.annotations();
    } else if (MediaTypes.isManifest(top.mediaType())) {
      sources =
          List.of(top.bare().withPlatform(Objects.requireNonNull(singlePlatform, "platform")));
    } else {
      throw new IOException(
          "cannot convert " + top.digest() + ": unsupported media type " + top.mediaType());
    }

    List<Blob> rewritten = new ArrayList<>();
    List<Descriptor> images = new ArrayList<>();
    Map<Digest, Digest> newDigestOf = new LinkedHashMap<>();
    for (Descriptor d : sources) {
      if (isSociIndexEntry(d)) {
        continue;
      }
      byte[] bytes = MediaTypes.isManifest(d.mediaType()) ? lookup.find(d.digest()) : null;
      if (bytes == null) {
        images.add(d);
        continue;
      }
      Manifest m = Json.read(bytes, Manifest.class);
      PlatformIndex pi =
          indexes.stream().filter(i -> i.imageDigest().equals(d.digest())).findFirst().orElse(null);
      Map<String, String> ann =
          m.annotations() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(m.annotations());
      if (pi != null) {
        ann.put(MediaTypes.ANN_INDEX_DIGEST, pi.index().digest().toString());
      }
      Descriptor config = m.config().withMediaType(MediaTypes.OCI_CONFIG);
      Manifest out =
          new Manifest(
              2,
              MediaTypes.OCI_MANIFEST,
              m.artifactType(),
              config,
              m.layers(),
              m.subject(),
              ann.isEmpty() ? null : ann);
      byte[] outBytes = Json.bytes(out);
      Digest nd = Digest.sha256(outBytes);
      newDigestOf.put(d.digest(), nd);
      Map<String, String> dAnn =
          d.annotations() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(d.annotations());
      if (pi != null) {
        dAnn.put(MediaTypes.ANN_INDEX_DIGEST, pi.index().digest().toString());
      }
      Descriptor nDesc =
          new Descriptor(
              MediaTypes.OCI_MANIFEST,
              nd,
              outBytes.length,
              d.urls(),
              dAnn.isEmpty() ? null : dAnn,
              null,
              d.platform(),
              d.artifactType());
      rewritten.add(new Blob(nDesc, outBytes));
      images.add(nDesc);
    }

    List<Descriptor> all = new ArrayList<>(images);
    for (PlatformIndex pi : indexes) {
      Digest imageDigest = newDigestOf.getOrDefault(pi.imageDigest(), pi.imageDigest());
      Descriptor sd =
          new Descriptor(
              MediaTypes.OCI_MANIFEST,
              pi.index().digest(),
              pi.index().bytes().length,
              null,
              Map.of(MediaTypes.ANN_IMAGE_MANIFEST_DIGEST, imageDigest.toString()),
              null,
              pi.platform(),
              MediaTypes.SOCI_INDEX_V2);
      all.add(sd);
    }
    ImageIndex out = new ImageIndex(2, MediaTypes.OCI_INDEX, null, all, null, indexAnnotations);
    byte[] outBytes = Json.bytes(out);
    Blob index =
        new Blob(
            Descriptor.of(MediaTypes.OCI_INDEX, Digest.sha256(outBytes), outBytes.length),
            outBytes);
    return new Result(index, rewritten);
  }

  /** True for the descriptor of a v2 SOCI index inside an OCI index (replaced on re-conversion). */
  public static boolean isSociIndexEntry(Descriptor d) {
    return MediaTypes.SOCI_INDEX_V2.equals(d.artifactType());
  }
}
