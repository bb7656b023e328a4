package dev.finch.soci.spi;

import java.util.Map;

/**
 * Where the lazy-loading code reports notable events (the reference's log keys such as {@code
 * remote-snapshot-prepared}, {@code local-snapshot-prepared}, {@code defer-snapshot-runtime}): the
 * daemon writes each as one JSON log line with an {@code "event"} field, so tests and operators can
 * grep for them.
 */
@FunctionalInterface
public interface EventSink {
  /**
   * Records one event.
   *
   * @param level {@code debug}, {@code info}, {@code warn} or {@code error}
   * @param event a stable machine-readable key, e.g. {@code remote-snapshot-prepared}
   * @param message human-readable text
   * @param fields extra JSON fields (strings, numbers, booleans)
   */
  void event(String level, String event, String message, Map<String, ?> fields);

  /** A sink that drops everything (unit tests). */
  static EventSink discard() {
    return (level, event, message, fields) -> {};
  }
}
