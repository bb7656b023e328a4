package dev.finch.soci.containerd;

import java.time.Instant;
import java.util.Map;

/**
 * A containerd lease: while it exists, content and snapshots created under it survive garbage
 * collection. The label {@value #GC_EXPIRE} (RFC 3339 time) lets containerd drop a forgotten lease.
 */
public record Lease(String id, Instant createdAt, Map<String, String> labels) {
  /** Label with the expiry time of a lease, in RFC 3339. */
  public static final String GC_EXPIRE = "containerd.io/gc.expire";

  /** Label that keeps a lease from expiring until it is deleted explicitly. */
  public static final String GC_FLAT = "containerd.io/gc.flat";

  public Lease {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** Labels for a lease that expires at {@code at}. */
  public static Map<String, String> expiringAt(Instant at) {
    return Map.of(GC_EXPIRE, at.toString());
  }

  static Lease fromProto(dev.finch.soci.grpc.api.leases.Lease l) {
    return new Lease(l.getId(), Protos.instant(l.getCreatedAt()), l.getLabelsMap());
  }
}
