package dev.finch.config;

import java.nio.file.Path;

/**
 * Where finch keeps finch.yaml: {@code ~/.finch} on macOS, {@code %LOCALAPPDATA%\.finch} on
 * Windows, {@code /etc/finch} on Linux, exactly as Finch does so both can share a file. {@code
 * FINCH_DIR} overrides the directory (tests, and users who keep several setups).
 */
public final class ConfigLocation {
  /** Environment variable naming a directory that replaces the per-OS finch directory. */
  public static final String FINCH_DIR_ENV = "FINCH_DIR";

  private ConfigLocation() {}

  /** The finch directory for this host. */
  public static Path finchDir(HostFacts host) {
    String override = host.env().get(FINCH_DIR_ENV);
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    return switch (host.os()) {
      case MACOS -> host.home().resolve(".finch");
      case WINDOWS -> {
        String local = host.env().get("LOCALAPPDATA");
        yield (local == null ? host.home().resolve("AppData").resolve("Local") : Path.of(local))
            .resolve(".finch");
      }
      case LINUX -> Path.of("/etc/finch");
    };
  }

  /** The finch.yaml path for this host. */
  public static Path configFile(HostFacts host) {
    return finchDir(host).resolve("finch.yaml");
  }
}
