package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * {@code PUT <location>?digest=<digest>}: completes an upload, with the whole blob (monolithic) or
 * with no body after PATCHes (chunked).
 */
record UploadFinish(String registry, String repository, Digest digest, URI location, byte[] data)
    implements RegistryEndpoint<Digest> {
  @Override
  public String actionDescription() {
    return "push blob " + V2.name(registry, repository, digest.toString());
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public URI uri(URI base) {
    return V2.withQuery(location, "digest", digest.toString());
  }

  @Override
  public boolean push() {
    return true;
  }

  @Override
  public Map<String, String> headers() {
    return Map.of("Content-Type", "application/octet-stream");
  }

  @Override
  public HttpRequest.BodyPublisher body() {
    return data == null || data.length == 0
        ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(data);
  }

  @Override
  public Digest handle(HttpResponse<InputStream> response) {
    if (response.statusCode() != 201 && response.statusCode() != 204) {
      throw Responses.failure(actionDescription(), registry, response);
    }
    Responses.discard(response);
    return digest;
  }
}
