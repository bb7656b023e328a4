package dev.finch.soci.containerd;

import dev.finch.soci.oci.Digest;
import java.time.Instant;
import java.util.Map;

/**
 * A committed blob in containerd's content store.
 *
 * @param labels containerd labels, e.g. {@code containerd.io/gc.ref.content.l.0=sha256:...}
 */
public record ContentInfo(
    Digest digest, long size, Instant createdAt, Instant updatedAt, Map<String, String> labels) {
  public ContentInfo {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  static ContentInfo fromProto(dev.finch.soci.grpc.api.content.Info i) {
    return new ContentInfo(
        Digest.parse(i.getDigest()),
        i.getSize(),
        Protos.instant(i.getCreatedAt()),
        Protos.instant(i.getUpdatedAt()),
        i.getLabelsMap());
  }
}
