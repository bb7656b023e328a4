package dev.finch.soci.registry;

import dev.finch.soci.registry.json.TagList;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * {@code GET /v2/<name>/tags/list}: the repository's tags (empty when the repository is unknown).
 */
record TagsList(String registry, String repository) implements RegistryEndpoint<List<String>> {
  @Override
  public String actionDescription() {
    return "list tags of " + registry + "/" + repository;
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public URI uri(URI base) {
    return V2.tags(base, repository);
  }

  @Override
  public List<String> handle(HttpResponse<InputStream> response) throws IOException {
    if (response.statusCode() == 404) {
      Responses.discard(response);
      return List.of();
    }
    if (response.statusCode() != 200) {
      throw Responses.failure(actionDescription(), registry, response);
    }
    return Responses.json(
            Responses.readAll(response, V2.MANIFEST_LIMIT, actionDescription()),
            TagList.class,
            actionDescription())
        .tags();
  }
}
