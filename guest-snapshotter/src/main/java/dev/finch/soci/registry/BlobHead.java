package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.OptionalLong;

/**
 * {@code HEAD /v2/<name>/blobs/<digest>}: the blob's size when it exists (-1 when the registry sent
 * no Content-Length), empty on 404.
 */
record BlobHead(String registry, String repository, Digest digest, boolean forPush)
    implements BlobRequest<OptionalLong> {
  @Override
  public String actionDescription() {
    return "check blob " + V2.name(registry, repository, digest.toString());
  }

  @Override
  public String method() {
    return "HEAD";
  }

  @Override
  public boolean push() {
    return forPush;
  }

  @Override
  public OptionalLong handle(HttpResponse<InputStream> response) {
    int status = response.statusCode();
    if (status == 404) {
      Responses.discard(response);
      return OptionalLong.empty();
    }
    if (status != 200) {
      throw Responses.failure(actionDescription(), registry, response);
    }
    Responses.discard(response);
    long size = Responses.contentLength(response);
    return OptionalLong.of(size);
  }
}
