package dev.finch.soci.index;

/**
 * The input of a standalone conversion is not an OCI image layout (or archive) that can be
 * converted; the message says what is wrong, for the user.
 */
public final class InvalidLayoutException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidLayoutException(String message) {
    super(message);
  }
}
