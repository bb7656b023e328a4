package dev.finch.soci.registry.json;

import java.util.List;

/**
 * The answer of {@code GET /v2/<name>/tags/list}.
 *
 * <pre>{"name":"foo","tags":["latest","sha256-0a1b..."]}</pre>
 *
 * @see <a
 *     href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags">Listing
 *     tags</a>
 */
public record TagList(String name, List<String> tags) {
  public TagList {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }
}
