package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** URL paths and display names of the distribution API v2. */
final class V2 {
  private V2() {}

  /** Every manifest and index media type we can read, in preference order. */
  static final List<String> MANIFEST_ACCEPT =
      List.of(
          MediaTypes.OCI_MANIFEST,
          MediaTypes.OCI_INDEX,
          MediaTypes.DOCKER_MANIFEST,
          MediaTypes.DOCKER_MANIFEST_LIST);

  /** Manifests larger than this are refused (containerd's limit). */
  static final int MANIFEST_LIMIT = 4 * 1024 * 1024;

  static URI manifest(URI base, String repository, String reference) {
    return URI.create(base + "/v2/" + repository + "/manifests/" + reference);
  }

  static URI blob(URI base, String repository, Digest digest) {
    return URI.create(base + "/v2/" + repository + "/blobs/" + digest);
  }

  static URI uploads(URI base, String repository) {
    return URI.create(base + "/v2/" + repository + "/blobs/uploads/");
  }

  static URI tags(URI base, String repository) {
    return URI.create(base + "/v2/" + repository + "/tags/list");
  }

  static URI referrers(URI base, String repository, Digest subject, String artifactType) {
    String q =
        artifactType == null
            ? ""
            : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8);
    return URI.create(base + "/v2/" + repository + "/referrers/" + subject + q);
  }

  /** {@code uri} with one more query parameter. */
  static URI withQuery(URI uri, String name, String value) {
    String s = uri.toString();
    return URI.create(
        s
            + (uri.getRawQuery() == null ? "?" : "&")
            + name
            + "="
            + URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  /** {@code registry/repo:tag} or {@code registry/repo@digest}, as users write references. */
  static String name(String registry, String repository, String reference) {
    return registry + "/" + repository + (Digest.isDigest(reference) ? "@" : ":") + reference;
  }
}
