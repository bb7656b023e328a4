package dev.finch.soci.service;

import dev.finch.soci.snapshot.SnapshotException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Maps snapshotter failures to gRPC statuses, the inverse of containerd's {@code errdefs.FromGRPC}
 * on the proxy client side: the category travels as the status code (containerd's unpacker needs
 * ALREADY_EXISTS to skip a remotely prepared layer, and NOT_FOUND to treat a missing snapshot as
 * such), the message as the description. This is the only place {@link Status} is built from a
 * domain error.
 */
final class StatusMapping {
  private StatusMapping() {}

  /** The status to send for {@code t}. */
  static StatusRuntimeException toStatus(Throwable t) {
    if (t instanceof StatusRuntimeException sre) {
      return sre;
    }
    Status status =
        switch (t) {
          case SnapshotException se ->
              switch (se.kind()) {
                case NOT_FOUND -> Status.NOT_FOUND;
                case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
                case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
              };
          case IOException e -> Status.INTERNAL;
          case UncheckedIOException e -> Status.INTERNAL;
          case IllegalArgumentException e -> Status.INVALID_ARGUMENT;
          default -> Status.UNKNOWN;
        };
    return status.withDescription(describe(t)).asRuntimeException();
  }

  private static String describe(Throwable t) {
    Throwable shown =
        t instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : t;
    String m = shown.getMessage();
    return m == null || m.isBlank() ? shown.getClass().getSimpleName() : m;
  }
}
