package dev.finch.testkit.image;

import java.nio.file.Path;
import java.util.List;

/**
 * An image written into an OCI layout.
 *
 * @param name full reference containerd will know it by, e.g. {@code docker.io/finch/busybox:test}
 * @param tag the {@code org.opencontainers.image.ref.name} in {@code index.json} (skopeo's {@code
 *     oci:<dir>:<tag>})
 * @param target the manifest, or the image index for a multi-platform image
 * @param manifests the platform images (one for a single-platform image)
 */
public record OciImage(
    Path layout, String name, String tag, OciBlob target, List<PlatformManifest> manifests) {
  public OciImage {
    manifests = List.copyOf(manifests);
  }

  /** One platform's manifest, config and layers. */
  public record PlatformManifest(
      String platform, OciBlob manifest, OciBlob config, List<OciLayer> layers) {
    public PlatformManifest {
      layers = List.copyOf(layers);
    }
  }

  /** The only platform image; throws for multi-platform images. */
  public PlatformManifest single() {
    if (manifests.size() != 1) {
      throw new IllegalStateException(name + " has " + manifests.size() + " platform manifests");
    }
    return manifests.getFirst();
  }
}
