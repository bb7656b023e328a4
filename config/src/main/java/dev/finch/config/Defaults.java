package dev.finch.config;

import java.util.List;
import java.util.Optional;

/**
 * Finch's defaults for keys that finch.yaml leaves out. They depend on the host (CPU count, memory,
 * macOS version), so they are computed from {@link HostFacts} rather than constants.
 */
public final class Defaults {
  private static final long GIB = 1L << 30;

  private Defaults() {}

  /** Half the host CPUs, at least 2. */
  public static int cpus(HostFacts host) {
    return Math.max(2, (int) Math.round(host.cpus() * 0.5));
  }

  /** Half the host memory rounded to whole GiB, at least 2GiB, written like {@code 8GiB}. */
  public static ByteSize memory(HostFacts host) {
    long half = Math.round(host.memoryBytes() * 0.5 / GIB) * GIB;
    return ByteSize.ofBytes(Math.max(2 * GIB, half));
  }

  /**
   * {@code vz} on macOS 13+, {@code qemu} on older macOS, {@code wsl2} on Windows, none on Linux.
   */
  public static Optional<String> vmType(HostFacts host) {
    return switch (host.os()) {
      case MACOS -> Optional.of(host.macosMajor() >= 13 ? "vz" : "qemu");
      case WINDOWS -> Optional.of("wsl2");
      case LINUX -> Optional.empty();
    };
  }

  /** {@code osxkeychain} on macOS (Finch adds it when the list is empty), none elsewhere. */
  public static List<String> credsHelpers(HostFacts host) {
    return host.os() == HostOs.MACOS ? List.of("osxkeychain") : List.of();
  }

  /**
   * The configuration used when finch.yaml does not exist: {@link FinchConfig.Builder}'s defaults
   * with the host's values for the keys that depend on it.
   */
  public static FinchConfig config(HostFacts host) {
    return FinchConfig.builder()
        .cpus(cpus(host))
        .memory(memory(host))
        .vmType(vmType(host))
        .credsHelpers(credsHelpers(host))
        .build();
  }
}
