package dev.finch.soci.containerd;

import dev.finch.soci.oci.Descriptor;
import java.time.Instant;
import java.util.Map;

/**
 * An image record in containerd: a name pointing at a root descriptor (an index or a manifest) in
 * the content store, plus labels. containerd does not check that the content exists.
 *
 * @param createdAt null when creating
 * @param updatedAt null when creating
 */
public record Image(
    String name,
    Descriptor target,
    Map<String, String> labels,
    Instant createdAt,
    Instant updatedAt) {
  public Image {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** A new record to pass to {@link ImageStore#create}. */
  public static Image of(String name, Descriptor target, Map<String, String> labels) {
    return new Image(name, target, labels, null, null);
  }

  public Image withTarget(Descriptor t) {
    return new Image(name, t, labels, createdAt, updatedAt);
  }

  public Image withLabels(Map<String, String> l) {
    return new Image(name, target, l, createdAt, updatedAt);
  }

  static Image fromProto(dev.finch.soci.grpc.api.images.Image i) {
    return new Image(
        i.getName(),
        i.hasTarget() ? Protos.fromProto(i.getTarget()) : null,
        i.getLabelsMap(),
        Protos.instant(i.getCreatedAt()),
        Protos.instant(i.getUpdatedAt()));
  }

  dev.finch.soci.grpc.api.images.Image toProto() {
    var b = dev.finch.soci.grpc.api.images.Image.newBuilder().setName(name).putAllLabels(labels);
    if (target != null) {
      b.setTarget(Protos.toProto(target));
    }
    return b.build();
  }
}
