package dev.finch.soci.registry.auth;

/**
 * The token server refused to issue a token. The registry client turns this into its one-line
 * {@code unauthorized: ...} error.
 */
public final class AuthException extends RuntimeException {
  private final int status;

  public AuthException(String message, int status) {
    super(message);
    this.status = status;
  }

  /** The token server's HTTP status, or 0 when its answer was unusable. */
  public int status() {
    return status;
  }
}
