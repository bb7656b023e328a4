package dev.finch.soci.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI content descriptor, serialized in Go's {@code ocispec.Descriptor} field order so that
 * re-serialized manifests hash the same as the reference's.
 *
 * <pre>{"mediaType":"application/octet-stream","digest":"sha256:...","size":1992,
 *  "annotations":{"com.amazon.soci.image-layer-digest":"sha256:..."}}</pre>
 *
 * @see <a
 *     href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md">descriptor.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "mediaType",
  "digest",
  "size",
  "urls",
  "annotations",
  "data",
  "platform",
  "artifactType"
})
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    String data,
    Platform platform,
    String artifactType) {

  public Descriptor {
    // REQUIRED by the image spec; a descriptor from a registry without one is refused here, so
    // that no caller meets a null digest later
    if (digest == null) {
      throw new IllegalArgumentException("descriptor has no digest");
    }
    annotations = annotations == null ? null : new TreeMap<>(annotations);
  }

  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, null, null, null, null, null);
  }

  public Descriptor withAnnotations(Map<String, String> a) {
    return new Descriptor(mediaType, digest, size, urls, a, data, platform, artifactType);
  }

  public Descriptor withPlatform(Platform p) {
    return new Descriptor(mediaType, digest, size, urls, annotations, data, p, artifactType);
  }

  public Descriptor withArtifactType(String t) {
    return new Descriptor(mediaType, digest, size, urls, annotations, data, platform, t);
  }

  public Descriptor withMediaType(String t) {
    return new Descriptor(t, digest, size, urls, annotations, data, platform, artifactType);
  }

  /** Just mediaType, digest and size: the form of a {@code subject}. */
  public Descriptor bare() {
    return of(mediaType, digest, size);
  }

  public String annotation(String key) {
    return annotations == null ? null : annotations.get(key);
  }
}
