package dev.finch.soci.daemon.toml;

/**
 * A TOML document that cannot be read or does not fit the expected schema. The message always
 * starts with {@code <file>:<line>: }, so users can jump to the offending line.
 */
public final class TomlException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;

  public TomlException(String file, int line, String message) {
    super(file + ":" + line + ": " + message);
    this.file = file;
    this.line = line;
  }

  /** The file name as given to the parser. */
  public String file() {
    return file;
  }

  /** 1-based line of the problem. */
  public int line() {
    return line;
  }
}
