package dev.finch.soci.lazy.mount;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocBuilder;
import dev.finch.testkit.image.TarLayer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;

/** A gzip layer pushed to a test registry as a blob, with the zTOC built from those bytes. */
record PushedLayer(Digest digest, Ztoc ztoc) {
  static PushedLayer push(RegistryClient client, String repo, TarLayer layer, int spanSize)
      throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      layer.writeTar(out);
    }
    byte[] blob = gz.toByteArray();
    Digest digest = Digest.sha256(blob);
    client.pushBlob(repo, digest, blob);
    Ztoc ztoc =
        new ZtocBuilder(spanSize)
            .build(new ByteArrayInputStream(blob), MediaTypes.Compression.GZIP, digest)
            .ztoc();
    return new PushedLayer(digest, ztoc);
  }
}
