package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/<name>/referrers/<digest>[?artifactType=...]}, one page. An empty answer means the
 * registry has no referrers API (404, or a 200 that is not an OCI index), so the caller uses the
 * fallback tag.
 *
 * @see <a
 *     href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers">Listing
 *     referrers</a>
 */
record ReferrersFetch(
    String registry, String repository, Digest subject, String artifactType, URI page)
    implements RegistryEndpoint<Optional<ReferrersFetch.Page>> {

  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  /** One page of referrers and the next page's URI, if any. */
  record Page(ImageIndex index, URI next) {}

  @Override
  public String actionDescription() {
    return "list referrers of " + V2.name(registry, repository, subject.toString());
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public URI uri(URI base) {
    return page != null ? page : V2.referrers(base, repository, subject, artifactType);
  }

  @Override
  public java.util.List<String> accept() {
    return java.util.List.of(MediaTypes.OCI_INDEX);
  }

  @Override
  public Optional<Page> handle(HttpResponse<InputStream> response) throws IOException {
    int status = response.statusCode();
    if (status == 404) {
      Responses.discard(response);
      return Optional.empty();
    }
    if (status != 200) {
      throw Responses.failure(actionDescription(), registry, response);
    }
    byte[] body = Responses.readAll(response, V2.MANIFEST_LIMIT, actionDescription());
    if (!MediaTypes.OCI_INDEX.equals(Responses.mediaType(response))) {
      return Optional.empty();
    }
    ImageIndex index = Responses.json(body, ImageIndex.class, actionDescription());
    URI next = null;
    String link = Responses.header(response, "Link");
    if (link != null) {
      Matcher m = NEXT.matcher(link);
      if (m.find()) {
        try {
          next = response.uri().resolve(m.group(1));
        } catch (IllegalArgumentException e) {
          throw new RegistryException.UnexpectedResponse(
              actionDescription(), 0, "Link header names no valid URL: " + Responses.shown(link));
        }
      }
    }
    return Optional.of(new Page(index, next));
  }
}
