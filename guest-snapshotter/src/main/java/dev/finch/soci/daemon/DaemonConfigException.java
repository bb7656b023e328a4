package dev.finch.soci.daemon;

/**
 * A {@code config.toml} that cannot be used. The message is one line and starts with the file: a
 * syntax error as {@code file:line:column: problem} (Jackson's TOML parser's message and position,
 * on the line at fault), a key with a wrong value as {@code file: [table] key: problem}, e.g.
 * {@code config.toml: [blob] max_retries: -1 is out of range [0, 100]}.
 */
public final class DaemonConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  DaemonConfigException(String message) {
    super(message);
  }
}
