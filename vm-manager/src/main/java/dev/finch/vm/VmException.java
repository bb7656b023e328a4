package dev.finch.vm;

/**
 * A VM operation was refused (illegal transition) or failed. The message is what finch prints; for
 * refusals it is Finch's exact text and names the command to run next.
 */
public final class VmException extends Exception {
  private static final long serialVersionUID = 1L;

  public VmException(String message) {
    super(message);
  }

  public VmException(String message, Throwable cause) {
    super(message, cause);
  }
}
