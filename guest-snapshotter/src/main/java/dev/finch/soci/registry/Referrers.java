package dev.finch.soci.registry;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Referrer discovery for one client: the referrers API when the registry has it, else the {@code
 * sha256-<hex>} tag index ({@link ReferrersFallback}). Whether a repository has the API is learned
 * once (a 404, or an answer that is not an OCI index, means no) and remembered.
 */
final class Referrers {
  /** The digest oras-go pings the referrers API with. */
  private static final Digest ZERO_DIGEST = new Digest("sha256", "0".repeat(64));

  private final RegistryClient client;
  private final EndpointCaller caller;
  private final Map<String, Boolean> apiByRepository = new ConcurrentHashMap<>();

  Referrers(RegistryClient client, EndpointCaller caller) {
    this.client = client;
    this.caller = caller;
  }

  List<Descriptor> list(String repository, Digest subject, String artifactType) {
    List<Descriptor> all = new ArrayList<>();
    if (!Boolean.FALSE.equals(apiByRepository.get(repository))) {
      URI page = null;
      boolean first = true;
      while (true) {
        Optional<ReferrersFetch.Page> p =
            caller.call(
                new ReferrersFetch(caller.registry(), repository, subject, artifactType, page));
        if (p.isEmpty()) {
          if (first) {
            apiByRepository.put(repository, false);
          }
          break;
        }
        apiByRepository.put(repository, true);
        all.addAll(p.get().index().manifests());
        first = false;
        page = p.get().next();
        if (page == null) {
          break;
        }
      }
    }
    if (Boolean.FALSE.equals(apiByRepository.get(repository))) {
      all = ReferrersFallback.list(client, repository, subject);
    }
    if (artifactType == null) {
      return List.copyOf(all);
    }
    List<Descriptor> out = new ArrayList<>();
    for (Descriptor d : all) {
      if (artifactType.equals(artifactTypeOf(repository, d))) {
        out.add(d);
      }
    }
    return out;
  }

  /** True when the registry serves the referrers API for {@code repository} (asked once). */
  boolean apiSupported(String repository) {
    Boolean known = apiByRepository.get(repository);
    if (known == null) {
      known =
          caller
              .call(new ReferrersFetch(caller.registry(), repository, ZERO_DIGEST, null, null))
              .isPresent();
      apiByRepository.put(repository, known);
    }
    return known;
  }

  // Fallback entries written by other tools may lack artifactType; a manifest's config type stands
  // in.
  private String artifactTypeOf(String repository, Descriptor d) {
    if (d.artifactType() != null || !MediaTypes.isManifest(d.mediaType())) {
      return d.artifactType();
    }
    Manifest m = client.fetchManifest(repository, d.digest()).manifest();
    return m.artifactType() != null
        ? m.artifactType()
        : m.config() == null ? null : m.config().mediaType();
  }
}
