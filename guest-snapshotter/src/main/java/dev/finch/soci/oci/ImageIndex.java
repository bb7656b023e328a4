package dev.finch.soci.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI image index (also read for Docker manifest lists), in Go's {@code ocispec.Index} field
 * order.
 *
 * <pre>{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[...]}
 * </pre>
 *
 * @see <a
 *     href="https://github.com/opencontainers/image-spec/blob/main/image-index.md">image-index.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "schemaVersion",
  "mediaType",
  "artifactType",
  "manifests",
  "subject",
  "annotations"
})
public record ImageIndex(
    int schemaVersion,
    String mediaType,
    String artifactType,
    @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> manifests,
    Descriptor subject,
    Map<String, String> annotations) {

  public ImageIndex {
    annotations = annotations == null ? null : new TreeMap<>(annotations);
    manifests = manifests == null ? List.of() : List.copyOf(manifests);
  }

  public static ImageIndex of(List<Descriptor> manifests) {
    return new ImageIndex(2, MediaTypes.OCI_INDEX, null, manifests, null, null);
  }
}
