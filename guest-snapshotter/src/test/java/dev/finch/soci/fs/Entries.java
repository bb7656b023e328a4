package dev.finch.soci.fs;

import java.time.Instant;
import java.util.Map;

/** Builds {@link LayerEntry} records directly, for tree tests that need no tar. */
final class Entries {
  private Entries() {}

  static final Instant T = Instant.parse("2020-01-01T00:00:00.5Z");

  static LayerEntry dir(String name, int mode) {
    return new LayerEntry(name, EntryType.DIR, mode, 0, 0, 0, "", 0, 0, T, Map.of(), 0);
  }

  static LayerEntry file(String name, long size, long offset) {
    return new LayerEntry(name, EntryType.REG, 0644, 0, 0, size, "", 0, 0, T, Map.of(), offset);
  }

  static LayerEntry file(String name, Map<String, String> pax) {
    return new LayerEntry(name, EntryType.REG, 0644, 0, 0, 0, "", 0, 0, T, pax, 0);
  }

  static LayerEntry hardlink(String name, String target) {
    return new LayerEntry(name, EntryType.HARDLINK, 0644, 0, 0, 0, target, 0, 0, T, Map.of(), 0);
  }

  static LayerEntry symlink(String name, String target) {
    return new LayerEntry(name, EntryType.SYMLINK, 0777, 0, 0, 0, target, 0, 0, T, Map.of(), 0);
  }
}
