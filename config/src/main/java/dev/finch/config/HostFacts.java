package dev.finch.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Facts about the host that finch's defaults and validation depend on. They are a value so tests
 * can pretend to be a Mac or a Windows machine while running on Linux.
 *
 * @param os host operating system
 * @param arch host architecture as Lima names it ({@code x86_64} or {@code aarch64})
 * @param cpus logical CPUs
 * @param memoryBytes physical memory in bytes
 * @param macosMajor major macOS version (0 when not macOS or unknown)
 * @param home the user's home directory
 * @param env the host environment
 */
public record HostFacts(
    HostOs os,
    String arch,
    int cpus,
    long memoryBytes,
    int macosMajor,
    Path home,
    Map<String, String> env) {

  public HostFacts {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(arch, "arch");
    Objects.requireNonNull(home, "home");
    env = Map.copyOf(env);
  }

  /** The facts of the machine this JVM runs on, read lazily from system properties only. */
  public static HostFacts detect() {
    HostOs os = HostOs.fromOsName(System.getProperty("os.name", "Linux"));
    String arch = System.getProperty("os.arch", "amd64");
    String limaArch = arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : "x86_64";
    long memory = physicalMemory();
    int major = 0;
    if (os == HostOs.MACOS) {
      String v = System.getProperty("os.version", "0");
      int dot = v.indexOf('.');
      try {
        major = Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
      } catch (NumberFormatException e) {
        major = 0;
      }
    }
    return new HostFacts(
        os,
        limaArch,
        Runtime.getRuntime().availableProcessors(),
        memory,
        major,
        Path.of(System.getProperty("user.home")),
        System.getenv());
  }

  /** A host environment variable, empty when unset. */
  public Optional<String> getenv(String name) {
    return Optional.ofNullable(env.get(name));
  }

  private static long physicalMemory() {
    // /proc/meminfo costs well under a millisecond; the MXBean loads the management module (tens
    // of ms at startup), so it is only the fallback for hosts without /proc (macOS, Windows).
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          String kb = line.replaceAll("[^0-9]", "");
          return Long.parseLong(kb) * 1024L;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // fall through to the management bean
    }
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean bean) {
      return bean.getTotalMemorySize();
    }
    return 8L << 30;
  }
}
