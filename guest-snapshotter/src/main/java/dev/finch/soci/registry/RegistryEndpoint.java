package dev.finch.soci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * One registry API call: how to build the request and how to read the answer. Auth, retries,
 * redirects and scheme fallback are not its business; {@link EndpointCaller#call} does them.
 *
 * @param <T> what the call produces
 */
interface RegistryEndpoint<T> {
  /**
   * What the user asked for, e.g. {@code pull manifest 127.0.0.1:5000/foo:bar}; starts error
   * messages.
   */
  String actionDescription();

  /** HTTP method. */
  String method();

  /**
   * The target URI: usually {@code base} + a {@code /v2/...} path, or an absolute upload location.
   */
  URI uri(URI base);

  /** The repository whose auth scope the call needs. */
  String repository();

  /** True when the call writes (scope {@code pull,push}). */
  default boolean push() {
    return false;
  }

  /** Accept header values, in preference order. */
  default List<String> accept() {
    return List.of();
  }

  /** Extra request headers (Content-Type, Range, Accept-Encoding...). */
  default Map<String, String> headers() {
    return Map.of();
  }

  /** A fresh body publisher for each attempt. */
  default HttpRequest.BodyPublisher body() {
    return HttpRequest.BodyPublishers.noBody();
  }

  /** True when 3xx answers should be followed (blob GETs redirect to storage URLs). */
  default boolean followRedirects() {
    return false;
  }

  /**
   * Reads the final answer (any status other than those retried or used for auth) and closes its
   * body. Throws a {@link RegistryException} for answers that mean failure.
   */
  T handle(HttpResponse<InputStream> response) throws IOException;
}
