package dev.finch.soci.containerd;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.ImageIndex;
import java.util.List;

/**
 * An image in containerd resolved down to the selected platform manifests.
 *
 * @param index the image's top-level index when its target is one, else null
 * @param manifests the selected platform images, in index order
 * @param absent selected manifests whose blobs are not in the content store (only with
 *     all-platforms; containerd pulls just the host platform by default)
 */
public record ResolvedImage(
    Image image, ImageIndex index, List<PlatformImage> manifests, List<Descriptor> absent) {
  public ResolvedImage {
    manifests = List.copyOf(manifests);
    absent = List.copyOf(absent);
  }
}
