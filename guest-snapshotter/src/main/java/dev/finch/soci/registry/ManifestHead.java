package dev.finch.soci.registry;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import java.io.InputStream;
import java.net.http.HttpResponse;

/**
 * {@code HEAD /v2/<name>/manifests/<reference>}: the descriptor from headers. Answers null when the
 * registry's answer is not enough (no digest header, HEAD unsupported), so the caller falls back to
 * a GET; throws NotFound on 404.
 */
record ManifestHead(String registry, String repository, String reference)
    implements ManifestRead<Descriptor> {
  @Override
  public String actionDescription() {
    return "resolve " + V2.name(registry, repository, reference);
  }

  @Override
  public String method() {
    return "HEAD";
  }

  @Override
  public Descriptor handle(HttpResponse<InputStream> response) {
    Responses.discard(response);
    int status = response.statusCode();
    if (status == 404) {
      throw new RegistryException.NotFound(actionDescription());
    }
    if (status != 200) {
      return null;
    }
    String digest = Responses.header(response, "Docker-Content-Digest");
    String mediaType = Responses.mediaType(response);
    long size = Responses.contentLength(response);
    if (digest == null || !Digest.isDigest(digest) || mediaType == null || size < 0) {
      return null;
    }
    return Descriptor.of(mediaType, Digest.parse(digest), size);
  }
}
