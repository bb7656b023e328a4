package dev.finch.soci.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI image manifest (also read for Docker schema 2 manifests), in Go's {@code ocispec.Manifest}
 * field order.
 *
 * <pre>{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
 *  "config":{...},"layers":[{...}],"subject":{...},"annotations":{...}}</pre>
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/manifest.md">manifest.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "schemaVersion",
  "mediaType",
  "artifactType",
  "config",
  "layers",
  "subject",
  "annotations"
})
public record Manifest(
    int schemaVersion,
    String mediaType,
    String artifactType,
    Descriptor config,
    @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> layers,
    Descriptor subject,
    Map<String, String> annotations) {

  public Manifest {
    annotations = annotations == null ? null : new TreeMap<>(annotations);
    layers = layers == null ? List.of() : List.copyOf(layers);
  }

  public Manifest withAnnotations(Map<String, String> a) {
    return new Manifest(schemaVersion, mediaType, artifactType, config, layers, subject, a);
  }

  public String annotation(String key) {
    return annotations == null ? null : annotations.get(key);
  }
}
