package dev.finch.soci.rpull;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The labels a lazy pull puts on each layer's Prepare, the same set containerd's CRI pull adds
 * ({@code pkg/snapshotters} {@code AppendInfoHandlerWrapper}) and its unpacker forwards: they let a
 * remote snapshotter find the image, its SOCI index and the layer without asking containerd.
 */
public final class LayerLabels {
  /** The chain ID the active snapshot will be committed as. */
  public static final String TARGET_REF = "containerd.io/snapshot.ref";

  public static final String IMAGE_REF = "containerd.io/snapshot/cri.image-ref";
  public static final String MANIFEST_DIGEST = "containerd.io/snapshot/cri.manifest-digest";
  public static final String LAYER_DIGEST = "containerd.io/snapshot/cri.layer-digest";
  public static final String IMAGE_LAYERS = "containerd.io/snapshot/cri.image-layers";
  public static final String SOCI_INDEX_DIGEST = "containerd.io/snapshot/remote/soci.index.digest";

  /** containerd's {@code labels.Validate} limit on key plus value. */
  static final int MAX_LABEL_SIZE = 4096;

  private LayerLabels() {}

  /**
   * Labels for preparing layer {@code index} of {@code layers}.
   *
   * @param sociIndex explicit SOCI index digest ({@code --soci-index-digest}), or null
   */
  public static Map<String, String> forLayer(
      Digest chainId,
      String imageRef,
      Digest manifest,
      List<Descriptor> layers,
      int index,
      Digest sociIndex) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(TARGET_REF, chainId.toString());
    labels.putAll(identifying(imageRef, manifest, layers.get(index).digest(), sociIndex));
    labels.put(IMAGE_LAYERS, imageLayers(layers.subList(index, layers.size())));
    return labels;
  }

  /**
   * The labels that say which layer of which image a Prepare is for (image ref, manifest, layer,
   * explicit SOCI index if any): all a snapshotter needs to find the layer's zTOC, and all that is
   * known of a layer before the image config (and so its chain ID) is read.
   */
  public static Map<String, String> identifying(
      String imageRef, Digest manifest, Digest layer, Digest sociIndex) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(IMAGE_REF, imageRef);
    labels.put(MANIFEST_DIGEST, manifest.toString());
    labels.put(LAYER_DIGEST, layer.toString());
    if (sociIndex != null) {
      labels.put(SOCI_INDEX_DIGEST, sociIndex.toString());
    }
    return labels;
  }

  /**
   * Comma-separated digests of {@code layers}, stopping before the first one that would push key
   * plus value over {@value #MAX_LABEL_SIZE} bytes (containerd's {@code getLayers}).
   */
  static String imageLayers(List<Descriptor> layers) {
    StringBuilder value = new StringBuilder();
    for (Descriptor l : layers) {
      String item = (value.isEmpty() ? "" : ",") + l.digest();
      if (IMAGE_LAYERS.length() + value.length() + item.length() > MAX_LABEL_SIZE) {
        break;
      }
      value.append(item);
    }
    return value.toString();
  }
}
