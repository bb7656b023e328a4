package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** {@code POST /v2/<name>/blobs/uploads/}: opens an upload session and answers its location. */
record UploadStart(String registry, String repository, Digest digest)
    implements RegistryEndpoint<URI> {
  @Override
  public String actionDescription() {
    return "push blob " + V2.name(registry, repository, digest.toString());
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public URI uri(URI base) {
    return V2.uploads(base, repository);
  }

  @Override
  public boolean push() {
    return true;
  }

  @Override
  public HttpRequest.BodyPublisher body() {
    return HttpRequest.BodyPublishers.noBody();
  }

  @Override
  public URI handle(HttpResponse<InputStream> response) {
    if (response.statusCode() != 202) {
      throw Responses.failure(actionDescription(), registry, response);
    }
    Responses.discard(response);
    return UploadChunk.location(response, actionDescription());
  }
}
