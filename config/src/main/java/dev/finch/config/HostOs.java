package dev.finch.config;

import java.util.Locale;

/**
 * The host operating system finch runs on. It decides where finch.yaml lives, which keys apply,
 * which VM backend is used (Lima, WSL2, or none on Linux) and how paths are rewritten.
 */
public enum HostOs {
  MACOS("macOS"),
  WINDOWS("Windows"),
  LINUX("Linux");

  private final String displayName;

  HostOs(String displayName) {
    this.displayName = displayName;
  }

  /** The name used in user-facing messages, e.g. {@code unsupported vm type "x" for macOS}. */
  public String displayName() {
    return displayName;
  }

  /**
   * Maps a {@code os.name} system property value to a host OS; anything unknown counts as Linux.
   */
  public static HostOs fromOsName(String osName) {
    String n = osName.toLowerCase(Locale.ROOT);
    if (n.startsWith("mac") || n.startsWith("darwin")) {
      return MACOS;
    }
    if (n.startsWith("windows")) {
      return WINDOWS;
    }
    return LINUX;
  }
}
