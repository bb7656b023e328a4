package dev.finch.vm;

import dev.finch.config.FinchConfig;
import dev.finch.config.HostFacts;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandSpec;
import dev.finch.vm.lima.LimaYaml;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The macOS backend: finch's bundled {@code limactl} with {@code LIMA_HOME} under the install
 * directory, one instance named {@code finch}, argv as Finch runs it.
 *
 * <p>Config goes where Lima merges it: the instance template ({@code os/finch.yaml}) and {@code
 * _config/default.yaml} are written on init (init-only keys), {@code _config/override.yaml} on
 * every init and start (cpus, memory, disks, mounts, snapshotter, provisioning).
 */
public record LimaBackend(InstallLayout layout, HostFacts host) implements VmBackend {

  private List<String> limactl(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(layout.limactl().toString());
    argv.addAll(List.of(args));
    return argv;
  }

  private CommandSpec spec(String... args) {
    return CommandSpec.of(limactl(args)).withEnv(limaEnv());
  }

  /** {@code LIMA_HOME} and a PATH that finds the bundled Lima tools first. */
  public Map<String, String> limaEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LIMA_HOME", layout.limaHome().toString());
    String path = host.env().getOrDefault("PATH", "");
    env.put("PATH", layout.limaBin() + (path.isEmpty() ? "" : File.pathSeparator + path));
    return env;
  }

  @Override
  public CommandSpec statusCommand() {
    return spec("ls", "-f", "{{.Status}}", INSTANCE);
  }

  @Override
  public VmStatus parseStatus(CommandResult probe) {
    String status = probe.out().strip();
    if (probe.err().contains("No instance matching " + INSTANCE + " found")
        || (!probe.ok() && status.isEmpty())
        || status.isEmpty()) {
      return VmStatus.NONEXISTENT;
    }
    return switch (status) {
      case "Running" -> VmStatus.RUNNING;
      case "Stopped" -> VmStatus.STOPPED;
      default -> VmStatus.UNKNOWN;
    };
  }

  @Override
  public String rawStatus(CommandResult probe) {
    return probe.out().strip();
  }

  @Override
  public List<CommandSpec> initCommands(FinchConfig config) throws IOException {
    write(layout.limaTemplate(), LimaYaml.template(config, host, layout.guestImageDir()));
    write(layout.limaHome().resolve("_config").resolve("default.yaml"), LimaYaml.defaults(config));
    write(
        layout.limaHome().resolve("_config").resolve("override.yaml"),
        LimaYaml.override(config, layout.guestBundleDir()));
    List<CommandSpec> steps = new ArrayList<>(dataDisk(config));
    List<String> start =
        limactl("start", "--name=" + INSTANCE, layout.limaTemplate().toString(), "--tty=false");
    if (config.vmType().orElse("vz").equals("vz")) {
      start.addAll(List.of("--set", ".ssh.overVsock=false"));
    }
    steps.add(CommandSpec.of(start).withEnv(limaEnv()));
    return steps;
  }

  @Override
  public List<CommandSpec> startCommands(FinchConfig config) throws IOException {
    write(
        layout.limaHome().resolve("_config").resolve("override.yaml"),
        LimaYaml.override(config, layout.guestBundleDir()));
    List<CommandSpec> steps = new ArrayList<>(dataDisk(config));
    steps.add(spec("start", INSTANCE));
    return steps;
  }

  /** The persistent disk is created once; it outlives {@code vm remove}. */
  private List<CommandSpec> dataDisk(FinchConfig config) {
    if (Files.isDirectory(layout.limaHome().resolve("_disks").resolve(INSTANCE))) {
      return List.of();
    }
    return List.of(
        spec(
            "disk", "create", INSTANCE, "--size", config.datadisk().toString(), "--format", "raw"));
  }

  @Override
  public List<CommandSpec> stopCommands(boolean force) {
    return List.of(force ? spec("stop", "--force", INSTANCE) : spec("stop", INSTANCE));
  }

  @Override
  public List<CommandSpec> removeCommands(boolean force) {
    return List.of(force ? spec("remove", "--force", INSTANCE) : spec("remove", INSTANCE));
  }

  @Override
  public Optional<CommandSpec> diskInfoCommand() {
    return Optional.of(spec("disk", "ls", INSTANCE));
  }

  @Override
  public Path appliedSettingsFile() {
    return layout.limaHome().resolve("_finch").resolve("applied-settings");
  }

  /**
   * {@code limactl shell finch sudo -E [K=V...] <argv>}. No {@code --workdir}: host directories are
   * mounted at the same path, and limactl itself changes to the host's working directory (falling
   * back to the guest home when it is not mounted), exactly as for Finch on macOS.
   */
  @Override
  public CommandSpec command(List<String> guestArgv, Map<String, String> guestEnv, Path hostCwd) {
    List<String> argv = limactl("shell", INSTANCE, "sudo", "-E");
    guestEnv.forEach((k, v) -> argv.add(k + "=" + v));
    argv.addAll(guestArgv);
    return CommandSpec.of(argv).withEnv(limaEnv()).interactive();
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
