package dev.finch.soci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.MediaTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The referrers tag schema for registries without the referrers API (distribution 2.8): the
 * referrers of {@code sha256:<hex>} are listed in an OCI index tagged {@code sha256-<hex>}. Mirrors
 * what oras-go does on push: read the tag's index (or start empty), append the new referrer if
 * absent, put the index back under the tag, and delete the index it replaced.
 *
 * @see <a
 *     href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema">Referrers
 *     tag schema</a>
 */
final class ReferrersFallback {
  private ReferrersFallback() {}

  /** What a pushed manifest says about itself, for the referrers index. */
  record Referrer(Descriptor subject, Descriptor entry) {}

  /**
   * Reads {@code subject}, {@code artifactType} (or the config's mediaType) and annotations from a
   * manifest's bytes; empty when it has no subject.
   */
  static Optional<Referrer> describe(String mediaType, byte[] bytes) {
    if (!MediaTypes.isManifest(mediaType) && !MediaTypes.isIndex(mediaType)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      return Optional.empty();
    }
    JsonNode subjectNode = root.get("subject");
    if (subjectNode == null || !subjectNode.isObject()) {
      return Optional.empty();
    }
    Descriptor subject = Json.MAPPER.convertValue(subjectNode, Descriptor.class);
    String artifactType = text(root.get("artifactType"));
    if (artifactType == null && root.get("config") != null) {
      artifactType = text(root.get("config").get("mediaType"));
    }
    Map<String, String> annotations =
        root.get("annotations") == null
            ? null
            : Json.MAPPER.convertValue(
                root.get("annotations"),
                Json.MAPPER
                    .getTypeFactory()
                    .constructMapType(Map.class, String.class, String.class));
    Descriptor entry =
        Descriptor.of(mediaType, Digest.sha256(bytes), bytes.length)
            .withArtifactType(artifactType)
            .withAnnotations(annotations);
    return Optional.of(new Referrer(subject, entry));
  }

  /** Adds {@code referrer} to the fallback tag index of its subject. */
  static void add(RegistryClient client, String repository, Referrer referrer) {
    String tag = referrer.subject().digest().tagForm();
    ManifestBytes old;
    try {
      old = client.fetchManifest(repository, tag);
    } catch (RegistryException.NotFound e) {
      old = null;
    }
    List<Descriptor> entries = new ArrayList<>(old == null ? List.of() : old.index().manifests());
    if (entries.stream().anyMatch(d -> d.digest().equals(referrer.entry().digest()))) {
      return;
    }
    entries.add(referrer.entry());
    byte[] bytes = Json.bytes(ImageIndex.of(entries));
    client.putManifest(repository, tag, MediaTypes.OCI_INDEX, bytes);
    if (old != null && !old.descriptor().digest().equals(Digest.sha256(bytes))) {
      client.deleteManifest(repository, old.descriptor().digest());
    }
  }

  /** The entries of the fallback tag index of {@code subject}; empty when there is no such tag. */
  static List<Descriptor> list(RegistryClient client, String repository, Digest subject) {
    try {
      return client.fetchManifest(repository, subject.tagForm()).index().manifests();
    } catch (RegistryException.NotFound e) {
      return List.of();
    }
  }

  private static String text(JsonNode n) {
    return n != null && n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
  }
}
