package dev.finch.soci.containerd;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;

/**
 * A failed containerd call, with the error category containerd reported (its {@code errdefs} mapped
 * to gRPC codes) and a one-line message naming the action that failed, e.g. {@code get image
 * "docker.io/library/busybox:latest": image "docker.io/library/busybox:latest": not found}.
 *
 * <p>Callers branch on {@link #kind()}, never on the message text.
 */
public final class ContainerdException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, as containerd's {@code errdefs} classify it. */
  public enum Kind {
    NOT_FOUND,
    ALREADY_EXISTS,
    FAILED_PRECONDITION,
    INVALID_ARGUMENT,
    /** containerd is not reachable, or a resource (e.g. an ingest ref) is locked. */
    UNAVAILABLE,
    UNIMPLEMENTED,
    PERMISSION_DENIED,
    CANCELLED,
    DEADLINE_EXCEEDED,
    OUT_OF_RANGE,
    /** A reply we could not interpret, e.g. a digest mismatch on data we read. */
    PROTOCOL,
    UNKNOWN
  }

  private final Kind kind;

  public ContainerdException(Kind kind, String message, Throwable cause) {
    super(oneLine(message), cause);
    this.kind = kind;
  }

  public ContainerdException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() {
    return kind;
  }

  public boolean is(Kind k) {
    return kind == k;
  }

  /**
   * Maps a gRPC failure of {@code action} against the daemon at {@code socket}. An unreachable
   * socket becomes "cannot connect to containerd at PATH: REASON (is containerd running? set
   * --address)".
   */
  static ContainerdException from(Throwable t, String action, Path socket) {
    if (t instanceof ContainerdException ce) {
      return ce;
    }
    Status status = Status.fromThrowable(t);
    Kind kind = kindOf(status.getCode());
    String description =
        status.getDescription() == null ? status.getCode().toString() : status.getDescription();
    if (status.getCode() == Status.Code.UNAVAILABLE
        && (isConnectFailure(status) || isLostConnection(description))) {
      String reason = status.getCause() == null ? description : rootMessage(t);
      // A reset or closed connection means containerd went away during the call, not that it never
      // answered.
      boolean lost =
          isLostConnection(description)
              || reason.contains("reset")
              || reason.contains("closed")
              || reason.contains("Broken pipe");
      return new ContainerdException(
          Kind.UNAVAILABLE,
          (lost
              ? "lost the connection to containerd at "
                  + socket
                  + " during "
                  + action
                  + ": "
                  + reason
                  + " (did containerd stop or crash? see its log)"
              : "cannot connect to containerd at "
                  + socket
                  + ": "
                  + reason
                  + " (is containerd running? set --address)"),
          t instanceof StatusRuntimeException ? t : status.asRuntimeException());
    }
    return new ContainerdException(kind, action + ": " + description, t);
  }

  /**
   * gRPC's words for a transport that closed under a call ("Network closed for unknown reason").
   */
  private static boolean isLostConnection(String description) {
    return description.startsWith("Network closed");
  }

  private static boolean isConnectFailure(Status status) {
    Throwable cause = status.getCause();
    String d = status.getDescription() == null ? "" : status.getDescription();
    return cause != null
        || d.startsWith("io exception")
        || d.contains("Connection refused")
        || d.contains("No such file");
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage();
    if (m == null || m.isBlank()) {
      m = c.getClass().getSimpleName();
    }
    // Netty reports "connect(..) failed: Connection refused: /path"; keep the reason only.
    int idx = m.indexOf("failed: ");
    if (idx >= 0) {
      m = m.substring(idx + "failed: ".length());
    }
    int colon = m.indexOf(": /");
    return colon > 0 ? m.substring(0, colon) : m;
  }

  static Kind kindOf(Status.Code code) {
    return switch (code) {
      case NOT_FOUND -> Kind.NOT_FOUND;
      case ALREADY_EXISTS -> Kind.ALREADY_EXISTS;
      case FAILED_PRECONDITION -> Kind.FAILED_PRECONDITION;
      case INVALID_ARGUMENT -> Kind.INVALID_ARGUMENT;
      case UNAVAILABLE -> Kind.UNAVAILABLE;
      case UNIMPLEMENTED -> Kind.UNIMPLEMENTED;
      case PERMISSION_DENIED, UNAUTHENTICATED -> Kind.PERMISSION_DENIED;
      case CANCELLED -> Kind.CANCELLED;
      case DEADLINE_EXCEEDED -> Kind.DEADLINE_EXCEEDED;
      case OUT_OF_RANGE -> Kind.OUT_OF_RANGE;
      default -> Kind.UNKNOWN;
    };
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ').strip();
  }
}
