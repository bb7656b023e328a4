package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.io.InputStream;
import java.net.http.HttpResponse;

/**
 * {@code GET /v2/<name>/blobs/<digest>}, following redirects. Answers the body as a stream that
 * verifies the digest as it is read; the caller must read it to the end (and close it).
 */
record BlobFetch(String registry, String repository, Digest digest)
    implements BlobRequest<InputStream> {
  @Override
  public String actionDescription() {
    return "pull blob " + V2.name(registry, repository, digest.toString());
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public InputStream handle(HttpResponse<InputStream> response) {
    if (response.statusCode() != 200) {
      throw Responses.failure(actionDescription(), registry, response);
    }
    return new VerifyingInputStream(response.body(), digest, actionDescription());
  }
}
