package dev.finch.soci.registry;

/** A 206 answer's {@code Content-Range} does not match the range we asked for. */
public final class RangeMismatchException extends RegistryException {
  private final String expected;
  private final String actual;

  public RangeMismatchException(String action, String expected, String actual) {
    super(
        action,
        action
            + ": Content-Range mismatch: expected "
            + expected
            + ", got "
            + Responses.shown(actual),
        null);
    this.expected = expected;
    this.actual = actual;
  }

  /** The range requested, e.g. {@code bytes 0-99}. */
  public String expected() {
    return expected;
  }

  /** The {@code Content-Range} header received, or {@code (none)}. */
  public String actual() {
    return actual;
  }
}
