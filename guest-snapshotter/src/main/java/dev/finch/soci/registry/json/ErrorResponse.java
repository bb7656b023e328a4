package dev.finch.soci.registry.json;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The error body of the distribution API.
 *
 * <pre>{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"bar"}}]}
 * </pre>
 *
 * @see <a
 *     href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes">Error
 *     codes</a>
 */
public record ErrorResponse(List<Entry> errors) {

  /** One error: a code from the spec's table and a human message. */
  public record Entry(String code, String message) {}

  /**
   * {@code MANIFEST_UNKNOWN: manifest unknown; ...}, or an empty string when there are no errors.
   */
  public String summary() {
    if (errors == null) {
      return "";
    }
    return errors.stream()
        .map(
            e ->
                (e.code() == null ? "" : e.code() + ": ")
                    + (e.message() == null ? "" : e.message()))
        .collect(Collectors.joining("; "));
  }
}
