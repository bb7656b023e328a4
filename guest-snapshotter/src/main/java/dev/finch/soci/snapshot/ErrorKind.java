package dev.finch.soci.snapshot;

/**
 * Error categories of the snapshot API, the subset of containerd's {@code errdefs} a snapshotter
 * returns. The Snapshots service adapter ({@code dev.finch.soci.service}, and only it) maps them to
 * {@code io.grpc.Status} codes of the same names; containerd's unpacker relies on {@link
 * #ALREADY_EXISTS} to skip a layer download.
 */
public enum ErrorKind {
  NOT_FOUND("not found"),
  ALREADY_EXISTS("already exists"),
  FAILED_PRECONDITION("failed precondition"),
  INVALID_ARGUMENT("invalid argument");

  private final String text;

  ErrorKind(String text) {
    this.text = text;
  }

  /** The sentinel text containerd's errdefs print, which ends every wrapped error message. */
  public String text() {
    return text;
  }
}
