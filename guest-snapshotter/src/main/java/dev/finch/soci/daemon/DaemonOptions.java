package dev.finch.soci.daemon;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The daemon's flags, with the reference's defaults and environment variables. */
final class DaemonOptions {
  static final String DEFAULT_ADDRESS = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock";
  static final String DEFAULT_ROOT = "/var/lib/soci-snapshotter-grpc";
  static final String DEFAULT_CONFIG = "/etc/soci-snapshotter-grpc/config.toml";

  @Option(
      names = "--address",
      defaultValue = "${env:SOCI_SNAPSHOTTER_ADDRESS:-" + DEFAULT_ADDRESS + "}",
      description =
          "unix socket to serve on, a path or unix://path (env SOCI_SNAPSHOTTER_ADDRESS; default ${DEFAULT-VALUE})")
  String address;

  @Option(
      names = "--root",
      defaultValue = "${env:SOCI_SNAPSHOTTER_ROOT:-" + DEFAULT_ROOT + "}",
      description =
          "root directory of the snapshotter (env SOCI_SNAPSHOTTER_ROOT; default ${DEFAULT-VALUE})")
  Path root;

  @Option(
      names = "--config",
      description =
          "config file (env SOCI_SNAPSHOTTER_CONFIG; default "
              + DEFAULT_CONFIG
              + "; built-in defaults if the default file is missing)")
  Path config;

  @Option(
      names = "--log-level",
      defaultValue = "${env:SOCI_SNAPSHOTTER_LOG_LEVEL:-info}",
      description =
          "debug, info, warn or error (env SOCI_SNAPSHOTTER_LOG_LEVEL; default ${DEFAULT-VALUE})")
  String logLevel;

  /** The socket path; {@code unix://} is stripped, {@code fd://} (socket activation) is refused. */
  Path socket() {
    if (address.startsWith("fd://")) {
      throw new IllegalArgumentException(
          "--address "
              + address
              + ": systemd socket activation is not supported; give a unix socket path");
    }
    String p = address.startsWith("unix://") ? address.substring("unix://".length()) : address;
    if (p.isBlank()) {
      throw new IllegalArgumentException("--address must not be empty");
    }
    return Path.of(p);
  }

  /** The config file and whether the user named it (so that a missing file is an error). */
  record ConfigFile(Path path, boolean explicit) {}

  ConfigFile configFile() {
    if (config != null) {
      return new ConfigFile(config, true);
    }
    String env = System.getenv("SOCI_SNAPSHOTTER_CONFIG");
    if (env != null && !env.isBlank()) {
      return new ConfigFile(Path.of(env), true);
    }
    return new ConfigFile(Path.of(DEFAULT_CONFIG), false);
  }

  LogLevel level() {
    return LogLevel.parse(logLevel);
  }
}
