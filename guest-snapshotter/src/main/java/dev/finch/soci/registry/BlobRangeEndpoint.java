package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.net.URI;
import java.util.Map;

/**
 * What the blob range reads ({@link BlobRangeFetch}, {@link BlobRangeStream}) share: a {@code GET}
 * of the blob, or straight of its known storage URL, with a {@code Range} header and no transfer
 * encoding, following redirects.
 */
interface BlobRangeEndpoint<T> extends RegistryEndpoint<T> {
  String registry();

  Digest digest();

  /** The storage URL a redirect led to before, or null to ask the registry. */
  URI realUrl();

  /** The {@code Range} header value, e.g. {@code bytes=0-99,200-299}. */
  String rangeHeader();

  @Override
  default String actionDescription() {
    return "read "
        + rangeHeader()
        + " of blob "
        + V2.name(registry(), repository(), digest().toString());
  }

  @Override
  default String method() {
    return "GET";
  }

  @Override
  default URI uri(URI base) {
    return realUrl() != null ? realUrl() : V2.blob(base, repository(), digest());
  }

  @Override
  default Map<String, String> headers() {
    return Map.of("Range", rangeHeader(), "Accept-Encoding", "identity");
  }

  @Override
  default boolean followRedirects() {
    return true;
  }
}
