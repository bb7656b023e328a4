package dev.finch.soci.registry;

/**
 * A registry call failed. {@link #getMessage()} is one line meant for the user, and names the
 * action that failed, e.g. {@code pull manifest 127.0.0.1:5000/foo:bar: not found}. The CLI prints
 * it as is.
 */
public abstract sealed class RegistryException extends RuntimeException
    permits RegistryException.NotFound,
        RegistryException.Unauthorized,
        RegistryException.Denied,
        RegistryException.Unreachable,
        RegistryException.UnexpectedResponse,
        RegistryException.NoMatchingPlatform,
        DigestMismatchException,
        RangeMismatchException {

  private final String action;

  RegistryException(String action, String message, Throwable cause) {
    super(message, cause);
    this.action = action;
  }

  /** What was being done, e.g. {@code pull manifest 127.0.0.1:5000/foo:bar}. */
  public String action() {
    return action;
  }

  /** The manifest, blob or tag does not exist (HTTP 404). */
  public static final class NotFound extends RegistryException {
    public NotFound(String action) {
      super(action, action + ": not found", null);
    }
  }

  /**
   * The registry refused our credentials, or we had none (HTTP 401). The message says which: {@code
   * unauthorized: wrong credentials for 127.0.0.1:5000 (HTTP 401)}.
   */
  public static final class Unauthorized extends RegistryException {
    private final boolean hadCredentials;

    public Unauthorized(String action, String host, boolean hadCredentials, String detail) {
      super(
          action,
          "unauthorized: "
              + (hadCredentials ? "wrong credentials for " : "authentication required by ")
              + host
              + " (HTTP 401)"
              + (detail == null || detail.isBlank() ? "" : ": " + detail),
          null);
      this.hadCredentials = hadCredentials;
    }

    public boolean hadCredentials() {
      return hadCredentials;
    }
  }

  /**
   * Authenticated, but not allowed to do this (HTTP 403), or refused by the storage a blob
   * redirected to because its signed URL expired (S3 answers 400).
   */
  public static final class Denied extends RegistryException {
    public Denied(String action, String detail) {
      this(action, 403, detail);
    }

    public Denied(String action, int status, String detail) {
      super(
          action,
          action + ": denied (HTTP " + status + ")" + (detail.isBlank() ? "" : ": " + detail),
          null);
    }
  }

  /** Connecting or talking to the registry kept failing after the configured retries. */
  public static final class Unreachable extends RegistryException {
    public Unreachable(String action, String host, String reason, Throwable cause) {
      super(action, "cannot reach registry " + host + ": " + reason, cause);
    }
  }

  /** Any other status or a malformed answer; the message carries the status and registry error. */
  public static final class UnexpectedResponse extends RegistryException {
    private final int status;

    public UnexpectedResponse(String action, int status, String detail) {
      super(
          action,
          action
              + ": "
              + (status > 0 ? "HTTP " + status : "bad response")
              + (detail == null || detail.isBlank() ? "" : ": " + detail),
          null);
      this.status = status;
    }

    /** The HTTP status, or 0 when the response was malformed rather than refused. */
    public int status() {
      return status;
    }
  }

  /** An index has no manifest for the wanted platform; the message lists what it has. */
  public static final class NoMatchingPlatform extends RegistryException {
    public NoMatchingPlatform(String action, String wanted, java.util.List<String> available) {
      super(
          action,
          action
              + ": no manifest for platform "
              + wanted
              + " (available: "
              + (available.isEmpty() ? "none" : String.join(", ", available))
              + ")",
          null);
    }
  }
}
