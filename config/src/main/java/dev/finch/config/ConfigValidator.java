package dev.finch.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Checks the values of finch.yaml against what Finch accepts on this host. The first problem is
 * reported as a {@link ConfigException} with the line of the offending key, so the user sees
 * exactly one actionable line.
 */
public final class ConfigValidator {
  private static final long MIN_DISK = 10L << 30;
  private final HostFacts host;

  public ConfigValidator(HostFacts host) {
    this.host = host;
  }

  /**
   * Validates {@code config} as read from {@code file}.
   *
   * @param lines line of every key present in the file; absent keys come from defaults
   */
  public void validate(Path file, FinchConfig config, Map<String, Integer> lines)
      throws ConfigException {
    if (config.cpus() <= 0) {
      throw error(
          file,
          lines,
          "cpus",
          "specified number of CPUs ("
              + config.cpus()
              + ") must be greater than 0; accepted: a whole number from 1 to the host's CPUs");
    }
    if (config.memory().bytes() <= 0) {
      throw error(file, lines, "memory", notAMemorySize(config.memory().toString()));
    }
    validateVmType(file, config, lines);
    List<String> snapshotters = config.snapshotters();
    for (int i = 0; i < snapshotters.size(); i++) {
      String s = snapshotters.get(i);
      if (!FinchConfig.SUPPORTED_SNAPSHOTTERS.contains(s)) {
        throw error(
            file,
            lines,
            "snapshotters[" + i + "]",
            "snapshotter \""
                + s
                + "\" is not supported; accepted: "
                + String.join(", ", FinchConfig.SUPPORTED_SNAPSHOTTERS));
      }
    }
    disk(file, lines, "bootdisk", config.bootdisk());
    disk(file, lines, "datadisk", config.datadisk());
    if (config.rosetta()
        && host.os() == HostOs.MACOS
        && config.vmType().orElse("").equals("qemu")) {
      throw error(
          file,
          lines,
          "rosetta",
          "rosetta needs vmType vz; accepted: rosetta: false, or vmType: vz with rosetta: true");
    }
  }

  private void validateVmType(Path file, FinchConfig config, Map<String, Integer> lines)
      throws ConfigException {
    String vmType = config.vmType().orElse("");
    switch (host.os()) {
      case MACOS -> {
        if (!vmType.equals("vz") && !vmType.equals("qemu")) {
          throw error(
              file,
              lines,
              "vmType",
              "unsupported vm type \"" + vmType + "\" for macOS; accepted: vz, qemu");
        }
        if (vmType.equals("vz") && host.macosMajor() > 0 && host.macosMajor() < 13) {
          throw error(
              file,
              lines,
              "vmType",
              "system does not have virtualization framework "
                  + "support, change vmType to \"qemu\"; accepted: qemu on macOS before 13");
        }
      }
      case WINDOWS -> {
        if (!vmType.equals("wsl2")) {
          throw error(
              file,
              lines,
              "vmType",
              "unsupported vm type \"" + vmType + "\" for Windows; accepted: wsl2");
        }
      }
      case LINUX -> {
        // Linux runs containers natively; only vmType: qemu asks for a VM (the same guest as on
        // macOS). Other values (a finch.yaml shared with a Mac says vz) are ignored, as before.
      }
    }
  }

  private static void disk(Path file, Map<String, Integer> lines, String key, ByteSize value)
      throws ConfigException {
    if (value.bytes() <= MIN_DISK) {
      throw error(file, lines, key, notADiskSize(value.toString()));
    }
  }

  /** The problem with a {@code memory} value {@code text}, whether it does not parse or is 0. */
  static String notAMemorySize(String text) {
    return "\""
        + text
        + "\" is not a memory size; accepted: a size greater than 0 such as 4GiB or 512MiB";
  }

  /** The problem with a disk size {@code text}, whether it does not parse or is too small. */
  static String notADiskSize(String text) {
    return "\""
        + text
        + "\" is not a disk size above 10GiB; accepted: a size greater than 10GiB such as 50GiB";
  }

  private static ConfigException error(
      Path file, Map<String, Integer> lines, String key, String msg) {
    return new ConfigException(file, lines.getOrDefault(key, 0), key, msg);
  }
}
