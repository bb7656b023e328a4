package dev.finch.soci.registry;

import java.net.URI;
import java.util.List;

/**
 * What the two reads of a manifest by reference ({@link ManifestHead}, {@link ManifestFetch})
 * share: the {@code /v2/<name>/manifests/<reference>} URI and an Accept header listing every
 * manifest and index type we can read, so the registry answers with one of them.
 */
interface ManifestRead<T> extends RegistryEndpoint<T> {
  /** A tag or a digest. */
  String reference();

  @Override
  default URI uri(URI base) {
    return V2.manifest(base, repository(), reference());
  }

  @Override
  default List<String> accept() {
    return V2.MANIFEST_ACCEPT;
  }
}
