package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.net.URI;

/**
 * What the calls on a whole blob ({@link BlobHead}, {@link BlobFetch}) share: the {@code
 * /v2/<name>/blobs/<digest>} URI, and following redirects, since registries send blob requests on
 * to their storage.
 */
interface BlobRequest<T> extends RegistryEndpoint<T> {
  Digest digest();

  @Override
  default URI uri(URI base) {
    return V2.blob(base, repository(), digest());
  }

  @Override
  default boolean followRedirects() {
    return true;
  }
}
