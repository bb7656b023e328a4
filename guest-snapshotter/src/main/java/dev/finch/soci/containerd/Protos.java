package dev.finch.soci.containerd;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Platform;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Conversions between the generated containerd messages and our domain records. */
final class Protos {
  private Protos() {}

  static dev.finch.soci.grpc.api.types.Descriptor toProto(Descriptor d) {
    var b =
        dev.finch.soci.grpc.api.types.Descriptor.newBuilder()
            .setMediaType(d.mediaType() == null ? "" : d.mediaType())
            .setDigest(d.digest().toString())
            .setSize(d.size());
    if (d.annotations() != null) {
      b.putAllAnnotations(d.annotations());
    }
    return b.build();
  }

  static Descriptor fromProto(dev.finch.soci.grpc.api.types.Descriptor d) {
    Map<String, String> ann = d.getAnnotationsMap().isEmpty() ? null : d.getAnnotationsMap();
    return new Descriptor(
        d.getMediaType().isEmpty() ? null : d.getMediaType(),
        Digest.parse(d.getDigest()),
        d.getSize(),
        null,
        ann,
        null,
        null,
        null);
  }

  static dev.finch.soci.grpc.api.types.Platform toProto(Platform p) {
    return dev.finch.soci.grpc.api.types.Platform.newBuilder()
        .setOs(p.os())
        .setArchitecture(p.architecture())
        .setVariant(p.variant() == null ? "" : p.variant())
        .build();
  }

  static dev.finch.soci.grpc.api.types.Mount toProto(ContainerdMount m) {
    return dev.finch.soci.grpc.api.types.Mount.newBuilder()
        .setType(m.type())
        .setSource(m.source())
        .setTarget(m.target() == null ? "" : m.target())
        .addAllOptions(m.options())
        .build();
  }

  static ContainerdMount fromProto(dev.finch.soci.grpc.api.types.Mount m) {
    return new ContainerdMount(m.getType(), m.getSource(), m.getTarget(), m.getOptionsList());
  }

  static List<ContainerdMount> mounts(List<dev.finch.soci.grpc.api.types.Mount> ms) {
    return ms.stream().map(Protos::fromProto).toList();
  }

  static List<dev.finch.soci.grpc.api.types.Mount> toProtoMounts(List<ContainerdMount> ms) {
    return ms.stream().map(Protos::toProto).toList();
  }

  /** Null for an unset timestamp (seconds and nanos both zero). */
  static Instant instant(Timestamp ts) {
    if (ts.getSeconds() == 0 && ts.getNanos() == 0) {
      return null;
    }
    return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
  }

  /** A mask of {@code labels.<key>} paths: containerd sets present keys and removes absent ones. */
  static FieldMask labelMask(Collection<String> keys) {
    FieldMask.Builder b = FieldMask.newBuilder();
    for (String k : keys) {
      b.addPaths("labels." + k);
    }
    return b.build();
  }
}
