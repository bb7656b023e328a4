package dev.finch.config;

/**
 * Where finch's files live inside the guest. The files themselves (the daemon's systemd unit, its
 * config.toml and containerd's proxy-plugin block) have one source, {@code installers/guest/},
 * which the guest bundle carries and the provisioning installs ({@link GuestProvisioning}); {@code
 * GuestFilesTest} checks that the unit names these paths.
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
  public static final String SOCI_DAEMON =
      GuestProvisioning.BUNDLE_HOME + "/bin/soci-snapshotter-grpc";

  /** Persistent snapshotter state, bind-mounted from the data disk. */
  public static final String SOCI_ROOT = "/var/lib/soci-snapshotter-grpc";

  private GuestFiles() {}

  /** nerdctl's config: every finch container lives in the {@code finch} namespace, as in Finch. */
  public static String nerdctlToml() {
    return "namespace = \"finch\"\n";
  }
}
