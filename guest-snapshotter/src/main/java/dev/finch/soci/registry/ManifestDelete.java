package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;

/**
 * {@code DELETE /v2/<name>/manifests/<digest>}. Answers false when the manifest is already gone or
 * the registry does not allow deletes (404, 405).
 */
record ManifestDelete(String registry, String repository, Digest digest)
    implements RegistryEndpoint<Boolean> {
  @Override
  public String actionDescription() {
    return "delete manifest " + V2.name(registry, repository, digest.toString());
  }

  @Override
  public String method() {
    return "DELETE";
  }

  @Override
  public URI uri(URI base) {
    return V2.manifest(base, repository, digest.toString());
  }

  @Override
  public boolean push() {
    return true;
  }

  @Override
  public Boolean handle(HttpResponse<InputStream> response) {
    int status = response.statusCode();
    if (status == 202 || status == 200) {
      Responses.discard(response);
      return true;
    }
    if (status == 404 || status == 405) {
      Responses.discard(response);
      return false;
    }
    throw Responses.failure(actionDescription(), registry, response);
  }
}
