package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * {@code PUT /v2/<name>/manifests/<reference>} with the manifest's media type as Content-Type. The
 * answer tells whether the registry indexed the manifest's subject ({@code OCI-Subject} header).
 */
record ManifestPush(
    String registry, String repository, String reference, String mediaType, byte[] bytes)
    implements RegistryEndpoint<ManifestPush.Result> {

  /** The stored digest, and whether the registry's referrers API took the subject. */
  record Result(Digest digest, boolean subjectIndexed) {}

  @Override
  public String actionDescription() {
    return "push manifest " + V2.name(registry, repository, reference);
  }

  @Override
  public String method() {
    return "PUT";
  }

  @Override
  public URI uri(URI base) {
    return V2.manifest(base, repository, reference);
  }

  @Override
  public boolean push() {
    return true;
  }

  @Override
  public Map<String, String> headers() {
    return Map.of("Content-Type", mediaType);
  }

  @Override
  public HttpRequest.BodyPublisher body() {
    return HttpRequest.BodyPublishers.ofByteArray(bytes);
  }

  @Override
  public Result handle(HttpResponse<InputStream> response) {
    if (response.statusCode() != 201 && response.statusCode() != 200) {
      throw Responses.failure(actionDescription(), registry, response);
    }
    Responses.discard(response);
    Digest ours = Digest.sha256(bytes);
    String theirs = Responses.header(response, "Docker-Content-Digest");
    if (theirs != null && Digest.isDigest(theirs) && !Digest.parse(theirs).equals(ours)) {
      throw new DigestMismatchException(actionDescription(), ours, Digest.parse(theirs));
    }
    return new Result(ours, Responses.header(response, "OCI-Subject") != null);
  }
}
