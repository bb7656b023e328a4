package dev.finch.soci.lazy;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import java.util.Map;

/**
 * The layer a Prepare is for, as the CRI plugin (or {@code soci rpull}) labels it.
 *
 * @param image the image reference as labelled
 * @param indexLabel the SOCI index digest the puller chose, or null
 */
record CriLayer(String image, ImageRef ref, Digest manifest, Digest layer, String indexLabel) {
  static final String LABEL_IMAGE_REF = "containerd.io/snapshot/cri.image-ref";
  static final String LABEL_MANIFEST = "containerd.io/snapshot/cri.manifest-digest";
  static final String LABEL_LAYER = "containerd.io/snapshot/cri.layer-digest";
  static final String LABEL_INDEX = "containerd.io/snapshot/remote/soci.index.digest";
  static final String LABEL_IMAGE_LAYERS = "containerd.io/snapshot/cri.image-layers";

  /**
   * The labelled layer; null when one of image-ref, manifest-digest and layer-digest is missing.
   */
  static CriLayer of(Map<String, String> labels) {
    String image = labels.get(LABEL_IMAGE_REF);
    String manifest = labels.get(LABEL_MANIFEST);
    String layer = labels.get(LABEL_LAYER);
    if (image == null || manifest == null || layer == null) {
      return null;
    }
    return new CriLayer(
        image,
        ImageRef.parse(image),
        Digest.parse(manifest),
        Digest.parse(layer),
        labels.get(LABEL_INDEX));
  }

  /** The same image's layer {@code other}. */
  CriLayer withLayer(Digest other) {
    return new CriLayer(image, ref, manifest, other, indexLabel);
  }

  /**
   * The layers {@code cri.image-layers} lists: this Prepare's layer and the ones above it, bottom
   * up, as far as containerd's label size limit let the puller list them. Empty without the label;
   * entries that are not digests are skipped (the label is a hint, never a reason to fail).
   */
  static java.util.List<Digest> imageLayers(Map<String, String> labels) {
    String value = labels.get(LABEL_IMAGE_LAYERS);
    if (value == null || value.isBlank()) {
      return java.util.List.of();
    }
    java.util.List<Digest> out = new java.util.ArrayList<>();
    for (String item : value.split(",")) {
      try {
        out.add(Digest.parse(item.strip()));
      } catch (IllegalArgumentException e) {
        // skipped: see above
      }
    }
    return java.util.List.copyOf(out);
  }
}
