package dev.finch.soci.daemon;

import java.util.Locale;
import java.util.logging.Level;

/** The {@code --log-level} values and their {@link java.util.logging} equivalents. */
public enum LogLevel {
  DEBUG(Level.FINE),
  INFO(Level.INFO),
  WARN(Level.WARNING),
  ERROR(Level.SEVERE);

  private final Level jul;

  LogLevel(Level jul) {
    this.jul = jul;
  }

  /** The java.util.logging level that maps to this one. */
  public Level jul() {
    return jul;
  }

  /** The lower-case name printed in the {@code level} field. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code debug|info|warn|error} (also {@code warning}); throws with the allowed values.
   */
  public static LogLevel parse(String s) {
    String v = s.strip().toLowerCase(Locale.ROOT);
    if (v.equals("warning")) {
      return WARN;
    }
    for (LogLevel l : values()) {
      if (l.wireName().equals(v)) {
        return l;
      }
    }
    throw new IllegalArgumentException(
        "invalid log level \"" + s + "\": expected debug, info, warn or error");
  }

  /** The level a java.util.logging record is printed with. */
  static LogLevel of(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return ERROR;
    }
    if (v >= Level.WARNING.intValue()) {
      return WARN;
    }
    if (v >= Level.INFO.intValue()) {
      return INFO;
    }
    return DEBUG;
  }
}
