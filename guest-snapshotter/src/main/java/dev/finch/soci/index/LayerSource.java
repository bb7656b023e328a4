package dev.finch.soci.index;

import dev.finch.soci.oci.Descriptor;
import java.io.IOException;
import java.io.InputStream;

/**
 * Opens the compressed bytes of an image layer (from containerd's content store or an OCI layout).
 */
@FunctionalInterface
public interface LayerSource {
  InputStream open(Descriptor layer) throws IOException;
}
