package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * {@code PATCH <location>} with {@code Content-Range: <first>-<last>}: one chunk of a chunked
 * upload; answers the next location.
 *
 * @see <a
 *     href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks">chunked
 *     push</a>
 */
record UploadChunk(
    String registry,
    String repository,
    Digest digest,
    URI location,
    long offset,
    byte[] chunk,
    int length)
    implements RegistryEndpoint<URI> {
  @Override
  public String actionDescription() {
    return "push blob " + V2.name(registry, repository, digest.toString());
  }

  @Override
  public String method() {
    return "PATCH";
  }

  @Override
  public URI uri(URI base) {
    return location;
  }

  @Override
  public boolean push() {
    return true;
  }

  @Override
  public Map<String, String> headers() {
    return Map.of(
        "Content-Type",
        "application/octet-stream",
        "Content-Range",
        offset + "-" + (offset + length - 1));
  }

  @Override
  public HttpRequest.BodyPublisher body() {
    return HttpRequest.BodyPublishers.ofByteArray(chunk, 0, length);
  }

  @Override
  public URI handle(HttpResponse<InputStream> response) {
    if (response.statusCode() != 202) {
      throw Responses.failure(actionDescription(), registry, response);
    }
    Responses.discard(response);
    return location(response, actionDescription());
  }

  /** The absolute upload location of an answer (registries may send it relative). */
  static URI location(HttpResponse<InputStream> response, String action) {
    String loc = Responses.header(response, "Location");
    if (loc == null || loc.isBlank()) {
      throw new RegistryException.UnexpectedResponse(
          action, response.statusCode(), "no upload Location");
    }
    return response.uri().resolve(loc);
  }
}
