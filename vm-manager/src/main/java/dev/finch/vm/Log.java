package dev.finch.vm;

/**
 * Progress and warnings for the user, on stderr (stdout stays clean for command output such as
 * {@code vm status}). The CLI decides the format.
 */
public interface Log {
  void info(String message);

  void warn(String message);

  /** Shown only with {@code --debug}. */
  void debug(String message);
}
