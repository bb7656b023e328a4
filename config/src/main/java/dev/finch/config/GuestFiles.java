package dev.finch.config;

/**
 * Text of the files finch writes inside the guest so containerd can use our SOCI snapshotter.
 * They are rendered here, from plain constants, so the Lima and WSL provisioning and the native
 * Linux packaging write byte-identical files.
 */
public final class GuestFiles {
  /** Socket our {@code soci-snapshotter-grpc} serves containerd's snapshot API on. */
  public static final String SOCI_SOCKET = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock";
  /** containerd's config file in the guest. */
  public static final String CONTAINERD_CONFIG = "/etc/containerd/config.toml";
  /** Our snapshotter daemon's config file in the guest. */
  public static final String SOCI_CONFIG = "/etc/soci-snapshotter-grpc/config.toml";
  /** Where the systemd unit for the daemon is installed. */
  public static final String SOCI_UNIT = "/etc/systemd/system/soci-snapshotter.service";
  /** The daemon binary (a launcher from the guest bundle). */
  public static final String SOCI_DAEMON = "/usr/local/bin/soci-snapshotter-grpc";
  /** Persistent snapshotter state, bind-mounted from the data disk. */
  public static final String SOCI_ROOT = "/var/lib/soci-snapshotter-grpc";

  private GuestFiles() {}

  /** The block appended to containerd's config.toml to register the proxy snapshotter. */
  public static String containerdProxyPlugin() {
    return """
        [proxy_plugins.soci]
          type = "snapshot"
          address = "%s"
        """.formatted(SOCI_SOCKET);
  }

  /**
   * The daemon's config.toml. Both pull modes are enabled: finch's own {@code push --snapshotter
   * soci} produces v1 indexes, which SOCI 0.10+ would otherwise refuse to lazy-load.
   */
  public static String sociConfig() {
    return """
        # Written by finch; rewritten on every VM boot.
        [pull_modes.soci_v1]
          enable = true

        [pull_modes.soci_v2]
          enable = true
        """;
  }

  /** The systemd unit that runs the daemon alongside containerd. */
  public static String sociSystemdUnit() {
    return """
        [Unit]
        Description=SOCI snapshotter (finch, Java)
        PartOf=containerd.service
        Before=containerd.service
        After=network.target local-fs.target

        [Service]
        Type=simple
        ExecStart=%s --address %s --config %s --root %s
        KillSignal=SIGTERM
        Restart=always
        RestartSec=2

        [Install]
        WantedBy=multi-user.target
        """.formatted(SOCI_DAEMON, SOCI_SOCKET, SOCI_CONFIG, SOCI_ROOT);
  }

  /** nerdctl's config: every finch container lives in the {@code finch} namespace, as in Finch. */
  public static String nerdctlToml() {
    return "namespace = \"finch\"\n";
  }
}
