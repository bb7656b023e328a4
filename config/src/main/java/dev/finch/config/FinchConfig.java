package dev.finch.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The effective contents of finch.yaml after defaults: what every finch command reads before it
 * runs. Keys and meanings follow Finch's own finch.yaml so an existing file keeps working.
 *
 * @param cpus VM CPUs (macOS; ignored by WSL2 and Linux)
 * @param memory VM memory as written, e.g. {@code 4GiB}
 * @param vmType {@code vz} or {@code qemu} on macOS, {@code wsl2} on Windows, empty on Linux
 * @param rosetta use Rosetta for amd64 binaries (macOS arm64, vz)
 * @param snapshotters snapshotters to install in the guest; the first is the default
 * @param additionalDirectories host directories mounted writable at the same path in the VM
 * @param credsHelpers docker credential helpers to make available to the guest
 * @param dockercompat Docker-compatible argument handling
 * @param autoVmStart start or create the VM when a container command needs it
 * @param bootdisk VM boot disk size
 * @param datadisk persistent data disk size
 * @param mountInotify Lima's experimental inotify forwarding for mounts
 * @param vmnet give the VM a routable address (macOS)
 */
public record FinchConfig(
    int cpus,
    String memory,
    Optional<String> vmType,
    boolean rosetta,
    List<String> snapshotters,
    List<String> additionalDirectories,
    List<String> credsHelpers,
    boolean dockercompat,
    boolean autoVmStart,
    String bootdisk,
    String datadisk,
    boolean mountInotify,
    boolean vmnet) {

  /** The snapshotter used when finch.yaml lists none, as containerd itself would. */
  public static final String DEFAULT_SNAPSHOTTER = "overlayfs";

  /** Snapshotters the guest can install. */
  public static final List<String> SUPPORTED_SNAPSHOTTERS = List.of("overlayfs", "soci");

  public FinchConfig {
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(vmType, "vmType");
    snapshotters = List.copyOf(snapshotters);
    additionalDirectories = List.copyOf(additionalDirectories);
    credsHelpers = List.copyOf(credsHelpers);
    Objects.requireNonNull(bootdisk, "bootdisk");
    Objects.requireNonNull(datadisk, "datadisk");
  }

  /** The snapshotter nerdctl uses when a command gives no {@code --snapshotter}. */
  public String defaultSnapshotter() {
    return snapshotters.isEmpty() ? DEFAULT_SNAPSHOTTER : snapshotters.getFirst();
  }

  /** Whether the SOCI snapshotter daemon is to be installed and started in the guest. */
  public boolean sociEnabled() {
    return snapshotters.contains("soci");
  }
}
