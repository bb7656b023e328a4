package dev.finch.vm;

import dev.finch.config.ConfigLocation;
import dev.finch.config.FinchConfig;
import dev.finch.config.GuestProvisioning;
import dev.finch.config.HostFacts;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandSpec;
import dev.finch.vm.lima.LimaYaml;
import dev.finch.vm.wsl.WslPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Windows backend: a WSL2 distro named {@code lima-finch} (the name Lima's wsl2 driver gives
 * Finch's instance) driven with {@code wsl.exe} directly. WSL has no provisioning hook, so every
 * init and start pipes the same provisioning script Lima runs into {@code bash -s} as root.
 *
 * <p>The persistent data disk is a VHDX in the finch directory ({@code .disks\finch-data.vhdx},
 * labelled {@code FinchDataDisk}, shipped by the installer); when present it is attached with
 * {@code wsl.exe --mount --bare} before boot and detached after stop or remove. A detached {@code
 * sleep infinity} in the distro keeps it running after finch exits, as Lima's driver does.
 */
public record WslBackend(InstallLayout layout, HostFacts host) implements VmBackend {
  /** WSL distro name. */
  public static final String DISTRO = "lima-finch";

  /** The warning Finch prints after init on Windows. */
  static final String MOUNT_WARNING =
      "WSL mounts the C: drive read-write into the VM by default; "
          + "see https://learn.microsoft.com/en-us/windows/wsl/wsl-config to change it";

  /** The data disk image. */
  public Path dataDisk() {
    return ConfigLocation.finchDir(host).resolve(".disks").resolve("finch-data.vhdx");
  }

  /** The directory WSL stores the distro's virtual disk in. */
  public Path instanceDir() {
    return layout.limaHome().resolve(INSTANCE);
  }

  private static CommandSpec wsl(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add("wsl.exe");
    argv.addAll(List.of(args));
    return CommandSpec.of(argv);
  }

  @Override
  public CommandSpec statusCommand() {
    return wsl("--list", "--verbose");
  }

  @Override
  public VmStatus parseStatus(CommandResult probe) {
    return switch (rawStatus(probe)) {
      case "" -> VmStatus.NONEXISTENT;
      case "Running" -> VmStatus.RUNNING;
      case "Stopped" -> VmStatus.STOPPED;
      default -> VmStatus.UNKNOWN;
    };
  }

  /**
   * The STATE column of the {@code lima-finch} row of {@code wsl.exe --list --verbose}, or empty
   * when there is no such row. wsl.exe writes UTF-16, so NULs and a BOM are dropped first.
   */
  @Override
  public String rawStatus(CommandResult probe) {
    String text = probe.out().replace("\u0000", "").replace("\uFEFF", "");
    for (String line : text.split("\\R")) {
      String[] cols = line.replace("*", " ").trim().split("\\s+");
      if (cols.length >= 2 && cols[0].equals(DISTRO)) {
        return cols[1];
      }
    }
    return "";
  }

  @Override
  public List<CommandSpec> initCommands(FinchConfig config) {
    List<CommandSpec> steps = new ArrayList<>();
    steps.add(
        wsl(
            "--import",
            DISTRO,
            instanceDir().toString(),
            layout.wslRootfs().toString(),
            "--version",
            "2"));
    steps.addAll(boot(config));
    return steps;
  }

  @Override
  public List<CommandSpec> startCommands(FinchConfig config) {
    return boot(config);
  }

  private List<CommandSpec> boot(FinchConfig config) {
    List<CommandSpec> steps = new ArrayList<>();
    if (Files.exists(dataDisk())) {
      steps.add(wsl("--mount", "--vhd", dataDisk().toString(), "--bare"));
    }
    steps.add(
        wsl("--distribution", DISTRO, "--user", "root", "--exec", "/bin/bash", "-s")
            .withStdin(new CommandSpec.Stdin.Text(provisioning(config))));
    // WSL shuts an idle distro down; Lima's wsl2 driver keeps a process running in it, so do we.
    steps.add(
        wsl("--distribution", DISTRO, "--user", "root", "--exec", "/bin/sleep", "infinity")
            .withIo(CommandSpec.Io.DETACHED));
    return steps;
  }

  /** Mounts the data disk by label, then runs the shared provisioning. */
  String provisioning(FinchConfig config) {
    String bundle = WslPaths.toWsl(layout.guestBundleDir().toString(), "C:\\");
    String mountDisk =
        """
        mkdir -p %1$s
        dev="$(blkid -s TYPE -t LABEL=FinchDataDisk -o device 2>/dev/null || true)"
        if [ -n "$dev" ] && ! mountpoint -q %1$s; then mount "$dev" %1$s; fi
        grep -qs '^CONTAINERD_SNAPSHOTTER=' /etc/environment \
          && sed -i 's/^CONTAINERD_SNAPSHOTTER=.*/CONTAINERD_SNAPSHOTTER=%2$s/' /etc/environment \
          || echo 'CONTAINERD_SNAPSHOTTER=%2$s' >> /etc/environment
        """
            .formatted(LimaYaml.DATA_DIR, config.defaultSnapshotter());
    return new GuestProvisioning(config, bundle, LimaYaml.DATA_DIR).scriptWithPrelude(mountDisk);
  }

  @Override
  public List<CommandSpec> stopCommands(boolean force) {
    return withUnmount(wsl("--terminate", DISTRO));
  }

  @Override
  public List<CommandSpec> removeCommands(boolean force) {
    return withUnmount(wsl("--unregister", DISTRO));
  }

  private List<CommandSpec> withUnmount(CommandSpec first) {
    if (!Files.exists(dataDisk())) {
      return List.of(first);
    }
    return List.of(first, wsl("--unmount", "\\\\?\\" + dataDisk()));
  }

  @Override
  public Optional<CommandSpec> diskInfoCommand() {
    return Optional.empty();
  }

  @Override
  public Path appliedSettingsFile() {
    return instanceDir().resolve("applied-settings");
  }

  @Override
  public Optional<String> afterInitWarning() {
    return Optional.of(MOUNT_WARNING);
  }

  /**
   * {@code wsl.exe --distribution lima-finch --user root --cd <wsl path of cwd> --exec [env K=V...]
   * <argv>}: the Windows working directory is mapped to its {@code /mnt/<drive>} path.
   */
  @Override
  public CommandSpec command(List<String> guestArgv, Map<String, String> guestEnv, Path hostCwd) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "wsl.exe",
                "--distribution",
                DISTRO,
                "--user",
                "root",
                "--cd",
                WslPaths.toWsl(hostCwd.toString(), "C:\\"),
                "--exec"));
    if (!guestEnv.isEmpty()) {
      argv.add("env");
      guestEnv.forEach((k, v) -> argv.add(k + "=" + v));
    }
    argv.addAll(guestArgv);
    return CommandSpec.of(argv).interactive();
  }
}
