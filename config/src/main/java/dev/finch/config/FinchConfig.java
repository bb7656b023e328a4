package dev.finch.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The effective contents of finch.yaml after defaults: what every finch command reads before it
 * runs. Keys and meanings follow Finch's own finch.yaml so an existing file keeps working.
 *
 * <p>Build one with {@link #builder()} (or change one with {@link #toBuilder()}), which names every
 * key it sets and starts from Finch's defaults, written once in {@link Builder}; {@link
 * Defaults#config} adds the ones that depend on the host.
 *
 * @param cpus VM CPUs (macOS; ignored by WSL2 and Linux)
 * @param memory VM memory, e.g. {@code 4GiB}
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
    ByteSize memory,
    Optional<String> vmType,
    boolean rosetta,
    List<String> snapshotters,
    List<String> additionalDirectories,
    List<String> credsHelpers,
    boolean dockercompat,
    boolean autoVmStart,
    ByteSize bootdisk,
    ByteSize datadisk,
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

  /** A builder holding Finch's defaults; see {@link Builder}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to change some keys of it. */
  public Builder toBuilder() {
    return new Builder()
        .cpus(cpus)
        .memory(memory)
        .vmType(vmType)
        .rosetta(rosetta)
        .snapshotters(snapshotters)
        .additionalDirectories(additionalDirectories)
        .credsHelpers(credsHelpers)
        .dockercompat(dockercompat)
        .autoVmStart(autoVmStart)
        .bootdisk(bootdisk)
        .datadisk(datadisk)
        .mountInotify(mountInotify)
        .vmnet(vmnet);
  }

  /** The snapshotter nerdctl uses when a command gives no {@code --snapshotter}. */
  public String defaultSnapshotter() {
    return snapshotters.isEmpty() ? DEFAULT_SNAPSHOTTER : snapshotters.getFirst();
  }

  /** Whether the SOCI snapshotter daemon is to be installed and started in the guest. */
  public boolean sociEnabled() {
    return snapshotters.contains("soci");
  }

  /**
   * A {@link FinchConfig} key by key. Its initial values are Finch's defaults for a finch.yaml that
   * leaves a key out, in this one place. The keys whose default depends on the host ({@code cpus},
   * {@code memory}, {@code vmType}, {@code creds_helpers}) start at what {@link Defaults} picks for
   * the smallest host (2 CPUs, 2GiB, no VM type, no helpers); {@link Defaults#config} sets them.
   */
  public static final class Builder {
    private int cpus = 2;
    private ByteSize memory = ByteSize.of("2GiB");
    private Optional<String> vmType = Optional.empty();
    private boolean rosetta = false;
    private List<String> snapshotters = List.of();
    private List<String> additionalDirectories = List.of();
    private List<String> credsHelpers = List.of();
    private boolean dockercompat = false;
    private boolean autoVmStart = true;
    private ByteSize bootdisk = ByteSize.of("100GiB");
    private ByteSize datadisk = ByteSize.of("50GiB");
    private boolean mountInotify = false;
    private boolean vmnet = false;

    private Builder() {}

    public Builder cpus(int value) {
      cpus = value;
      return this;
    }

    public Builder memory(ByteSize value) {
      memory = value;
      return this;
    }

    /** {@code memory} from a size written in code, e.g. {@code "4GiB"}. */
    public Builder memory(String value) {
      return memory(ByteSize.of(value));
    }

    public Builder vmType(Optional<String> value) {
      vmType = value;
      return this;
    }

    public Builder vmType(String value) {
      return vmType(Optional.of(value));
    }

    public Builder rosetta(boolean value) {
      rosetta = value;
      return this;
    }

    public Builder snapshotters(List<String> value) {
      snapshotters = value;
      return this;
    }

    public Builder additionalDirectories(List<String> value) {
      additionalDirectories = value;
      return this;
    }

    public Builder credsHelpers(List<String> value) {
      credsHelpers = value;
      return this;
    }

    public Builder dockercompat(boolean value) {
      dockercompat = value;
      return this;
    }

    public Builder autoVmStart(boolean value) {
      autoVmStart = value;
      return this;
    }

    public Builder bootdisk(ByteSize value) {
      bootdisk = value;
      return this;
    }

    public Builder bootdisk(String value) {
      return bootdisk(ByteSize.of(value));
    }

    public Builder datadisk(ByteSize value) {
      datadisk = value;
      return this;
    }

    public Builder datadisk(String value) {
      return datadisk(ByteSize.of(value));
    }

    public Builder mountInotify(boolean value) {
      mountInotify = value;
      return this;
    }

    public Builder vmnet(boolean value) {
      vmnet = value;
      return this;
    }

    public FinchConfig build() {
      return new FinchConfig(
          cpus,
          memory,
          vmType,
          rosetta,
          snapshotters,
          additionalDirectories,
          credsHelpers,
          dockercompat,
          autoVmStart,
          bootdisk,
          datadisk,
          mountInotify,
          vmnet);
    }
  }
}
