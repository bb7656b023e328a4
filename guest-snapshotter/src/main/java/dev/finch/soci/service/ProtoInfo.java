package dev.finch.soci.service;

import com.google.protobuf.Timestamp;
import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.Kind;
import dev.finch.soci.snapshot.Mount;
import java.time.Instant;
import java.util.List;

/** Conversions between the snapshot domain records and the generated containerd messages. */
final class ProtoInfo {
  private ProtoInfo() {}

  static dev.finch.soci.grpc.api.snapshots.Info toProto(Info info) {
    return dev.finch.soci.grpc.api.snapshots.Info.newBuilder()
        .setName(info.name())
        .setParent(info.parent())
        .setKind(toProto(info.kind()))
        .setCreatedAt(timestamp(info.created()))
        .setUpdatedAt(timestamp(info.updated()))
        .putAllLabels(info.labels())
        .build();
  }

  /** The parts of a request's Info that Update reads: name and labels. */
  static Info forUpdate(dev.finch.soci.grpc.api.snapshots.Info info) {
    return Info.forUpdate(info.getName(), info.getLabelsMap());
  }

  static dev.finch.soci.grpc.api.snapshots.Kind toProto(Kind kind) {
    return switch (kind) {
      case VIEW -> dev.finch.soci.grpc.api.snapshots.Kind.VIEW;
      case ACTIVE -> dev.finch.soci.grpc.api.snapshots.Kind.ACTIVE;
      case COMMITTED -> dev.finch.soci.grpc.api.snapshots.Kind.COMMITTED;
    };
  }

  static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  static List<dev.finch.soci.grpc.api.types.Mount> toProto(List<Mount> mounts) {
    return mounts.stream()
        .map(
            m ->
                dev.finch.soci.grpc.api.types.Mount.newBuilder()
                    .setType(m.type())
                    .setSource(m.source())
                    .addAllOptions(m.options())
                    .build())
        .toList();
  }
}
