package dev.finch.soci.snapshot;

import java.util.Objects;

/**
 * A categorised snapshot API failure whose message reads like containerd's wrapped errors, for
 * example {@code snapshot does not exist: not found} or {@code target snapshot "sha256:…": already
 * exists}, so that logs and CLI output match what users of containerd's snapshotters see.
 *
 * <p>Unchecked because it travels through transaction callbacks; filesystem failures that have no
 * category are reported as {@link java.io.UncheckedIOException} instead.
 */
public final class SnapshotException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;

  /**
   * Builds {@code "<detail>: <kind text>"}, the shape of {@code fmt.Errorf("%s: %w", detail,
   * errdefs.ErrX)}.
   */
  public SnapshotException(ErrorKind kind, String detail) {
    this(kind, detail + ": " + kind.text(), null);
  }

  private SnapshotException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** The category, the only thing callers should branch on. */
  public ErrorKind kind() {
    return kind;
  }

  /**
   * Prefixes context to the message and keeps the category, like {@code fmt.Errorf("%s: %w",
   * prefix, err)}.
   */
  public SnapshotException wrap(String prefix) {
    return new SnapshotException(kind, prefix + ": " + getMessage(), this);
  }

  /** The object named in {@code detail} does not exist. */
  public static SnapshotException notFound(String detail) {
    return new SnapshotException(ErrorKind.NOT_FOUND, detail);
  }

  /** The key or name is taken; for a remote Prepare, "the layer is ready". */
  public static SnapshotException alreadyExists(String detail) {
    return new SnapshotException(ErrorKind.ALREADY_EXISTS, detail);
  }

  /** The object exists but is in the wrong state (e.g. committing a committed snapshot). */
  public static SnapshotException failedPrecondition(String detail) {
    return new SnapshotException(ErrorKind.FAILED_PRECONDITION, detail);
  }

  /** The request is malformed (bad filter, bad field path, non-committed parent). */
  public static SnapshotException invalidArgument(String detail) {
    return new SnapshotException(ErrorKind.INVALID_ARGUMENT, detail);
  }
}
