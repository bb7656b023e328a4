package dev.finch.soci.cli;

/**
 * An error the {@code soci} CLI reports as one line on stderr with a non-zero exit code, never with
 * a stack trace (unless {@code --debug}).
 */
public class SociException extends RuntimeException {
  private final int exitCode;

  public SociException(String message) {
    this(message, 1, null);
  }

  public SociException(String message, Throwable cause) {
    this(message, 1, cause);
  }

  public SociException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** The first line of {@code s}: an error is reported on one line. */
  public static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
