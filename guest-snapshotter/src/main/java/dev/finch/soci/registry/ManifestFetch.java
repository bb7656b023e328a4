package dev.finch.soci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;

/**
 * {@code GET /v2/<name>/manifests/<reference>}: the bytes and their descriptor. When the reference
 * is a digest, the bytes must hash to it.
 */
record ManifestFetch(String registry, String repository, String reference)
    implements ManifestRead<ManifestBytes> {
  @Override
  public String actionDescription() {
    return "pull manifest " + V2.name(registry, repository, reference);
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public ManifestBytes handle(HttpResponse<InputStream> response) throws IOException {
    if (response.statusCode() != 200) {
      throw Responses.failure(actionDescription(), registry, response);
    }
    byte[] bytes = Responses.readAll(response, V2.MANIFEST_LIMIT, actionDescription());
    Digest actual = Digest.sha256(bytes);
    if (Digest.isDigest(reference) && !Digest.parse(reference).equals(actual)) {
      throw new DigestMismatchException(actionDescription(), Digest.parse(reference), actual);
    }
    return new ManifestBytes(
        Descriptor.of(mediaType(response, bytes), actual, bytes.length), bytes);
  }

  // The body's own mediaType wins over a generic Content-Type (some registries send
  // application/json).
  private String mediaType(HttpResponse<InputStream> response, byte[] bytes) {
    String header = Responses.mediaType(response);
    if (header != null && header.startsWith("application/vnd.")) {
      return header;
    }
    try {
      JsonNode mt = Json.MAPPER.readTree(bytes).get("mediaType");
      if (mt != null && mt.isTextual()) {
        return mt.asText();
      }
    } catch (IOException e) {
      throw new RegistryException.UnexpectedResponse(
          actionDescription(), 0, "manifest is not JSON");
    }
    return header;
  }
}
