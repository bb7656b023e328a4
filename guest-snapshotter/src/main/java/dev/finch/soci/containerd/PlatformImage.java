package dev.finch.soci.containerd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One platform's image, read from containerd's content store: the manifest (with its descriptor and
 * exact bytes, whose digest is what the SOCI index refers to) and the config.
 *
 * @param descriptor the manifest's descriptor, with its platform when the image has an index
 * @param manifestBytes the manifest exactly as stored (verified against {@code
 *     descriptor.digest()})
 * @param configBytes the image config exactly as stored (verified)
 */
public record PlatformImage(
    Descriptor descriptor,
    Manifest manifest,
    byte[] manifestBytes,
    Platform platform,
    byte[] configBytes) {

  /** The layer descriptors, bottom layer first. */
  public List<Descriptor> layers() {
    return manifest.layers();
  }

  public Descriptor config() {
    return manifest.config();
  }

  /** {@code rootfs.diff_ids} from the config: the digests of the uncompressed layers. */
  public List<Digest> diffIds() {
    try {
      JsonNode ids = Json.MAPPER.readTree(configBytes).path("rootfs").path("diff_ids");
      List<Digest> out = new ArrayList<>();
      ids.forEach(n -> out.add(Digest.parse(n.asText())));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "image config " + manifest.config().digest() + " is not JSON", e);
    }
  }

  /**
   * The platform named in an image config (os, architecture, variant), or null if it names none.
   */
  static Platform platformOfConfig(byte[] config) {
    try {
      JsonNode n = Json.MAPPER.readTree(config);
      String os = n.path("os").asText("");
      String arch = n.path("architecture").asText("");
      if (os.isEmpty() || arch.isEmpty()) {
        return null;
      }
      String variant = n.path("variant").asText("");
      return Platform.of(os, arch, variant.isEmpty() ? null : variant);
    } catch (IOException e) {
      throw new UncheckedIOException("image config is not JSON", e);
    }
  }
}
