package dev.finch.soci.containerd;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot as a snapshotter reports it.
 *
 * @param parent name of the committed parent, empty for a base layer
 */
public record SnapshotInfo(
    String name,
    String parent,
    Kind kind,
    Instant createdAt,
    Instant updatedAt,
    Map<String, String> labels) {

  /** The life-cycle state of a snapshot. */
  public enum Kind {
    UNKNOWN,
    VIEW,
    ACTIVE,
    COMMITTED
  }

  public SnapshotInfo {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  static SnapshotInfo fromProto(dev.finch.soci.grpc.api.snapshots.Info i) {
    Kind kind =
        switch (i.getKind()) {
          case VIEW -> Kind.VIEW;
          case ACTIVE -> Kind.ACTIVE;
          case COMMITTED -> Kind.COMMITTED;
          default -> Kind.UNKNOWN;
        };
    return new SnapshotInfo(
        i.getName(),
        i.getParent(),
        kind,
        Protos.instant(i.getCreatedAt()),
        Protos.instant(i.getUpdatedAt()),
        i.getLabelsMap());
  }
}
