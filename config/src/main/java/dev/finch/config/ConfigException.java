package dev.finch.config;

import java.nio.file.Path;

/**
 * finch.yaml could not be used. The message is one line naming the file, the line and the key and
 * saying what is accepted, because a bad config breaks every finch command (including {@code vm
 * status}) and the user must be able to fix it without reading code.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final Path file;
  private final int line;
  private final String key;

  /**
   * @param file the config file
   * @param line 1-based line, or 0 when unknown
   * @param key the finch.yaml key (e.g. {@code snapshotters[1]}), or empty when unknown
   * @param problem what is wrong and what is accepted
   */
  public ConfigException(Path file, int line, String key, String problem) {
    super(format(file, line, key, problem));
    this.file = file;
    this.line = line;
    this.key = key;
  }

  private static String format(Path file, int line, String key, String problem) {
    StringBuilder b = new StringBuilder("failed to load config: ").append(file);
    if (line > 0) {
      b.append(':').append(line);
    }
    b.append(": ");
    if (!key.isEmpty()) {
      b.append(key).append(": ");
    }
    return b.append(problem.replace('\n', ' ')).toString();
  }

  public Path file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String key() {
    return key;
  }
}
