package dev.finch.bridge;

/**
 * A finch command could not be turned into a guest command, or the guest lacks what it needs. The
 * message is one line for the user and says what is missing or accepted.
 */
public final class BridgeException extends Exception {
  private static final long serialVersionUID = 1L;

  public BridgeException(String message) {
    super(message);
  }

  public BridgeException(String message, Throwable cause) {
    super(message, cause);
  }
}
