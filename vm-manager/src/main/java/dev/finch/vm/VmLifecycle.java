package dev.finch.vm;

import dev.finch.config.AppliedSettings;
import dev.finch.config.FinchConfig;
import dev.finch.config.PendingChange;
import dev.finch.process.CommandFailedException;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;
import dev.finch.process.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/**
 * Finch's VM state machine: every operation probes the current state, refuses illegal transitions
 * with Finch's exact message (which names the command to run next), then runs the backend's
 * commands. Their output is streamed to the debug log ({@code --debug} shows limactl's progress
 * live) and kept for the "debug logs" of a failure, as Finch prints them. Forced stop and remove
 * skip the check, which is how a user recovers from an unknown state.
 *
 * <pre>
 * Nonexistent --init--> Running --stop--> Stopped --start--> Running
 * Stopped --remove--> Nonexistent        any --stop -f / remove -f--> (no check)
 * </pre>
 */
public final class VmLifecycle {
  private static final String Q = "\"" + VmBackend.INSTANCE + "\"";
  static final String ALREADY_RUNNING = "the instance " + Q + " is already running";
  static final String INIT_ON_STOPPED =
      "the instance "
          + Q
          + " already exists but is stopped, "
          + "run `finch vm start` to start the existing instance";
  static final String START_ON_NONEXISTENT =
      "the instance " + Q + " does not exist, " + "run `finch vm init` to create a new instance";
  static final String DOES_NOT_EXIST = "the instance " + Q + " does not exist";
  static final String ALREADY_STOPPED = "the instance " + Q + " is already stopped";
  static final String REMOVE_ON_RUNNING =
      "the instance " + Q + " is running, " + "run `finch vm stop` to stop the instance first";
  static final String AUTO_NONEXISTENT =
      "instance " + Q + " does not exist, " + "run `finch vm init` to create a new instance";
  static final String AUTO_STOPPED =
      "instance " + Q + " is stopped, " + "run `finch vm start` to start the instance";
  static final String AUTO_UNKNOWN = "instance " + Q + " has an unknown status";

  private final VmBackend backend;
  private final CommandRunner runner;
  private final FinchConfig config;
  private final Log log;

  public VmLifecycle(VmBackend backend, CommandRunner runner, FinchConfig config, Log log) {
    this.backend = backend;
    this.runner = runner;
    this.config = config;
    this.log = log;
  }

  public VmBackend backend() {
    return backend;
  }

  /** Probes the VM. An unknown state is returned, not thrown; {@link #knownStatus} refuses it. */
  public VmStatus status() throws VmException {
    return backend.parseStatus(probe());
  }

  private CommandResult probe() throws VmException {
    try {
      return runner.run(backend.statusCommand());
    } catch (CommandFailedException e) {
      throw new VmException("cannot get the status of instance " + Q + ": " + e.getMessage(), e);
    }
  }

  /** The state, refusing an unknown one with Finch's {@code unrecognized system status}. */
  public VmStatus knownStatus() throws VmException {
    CommandResult r = probe();
    VmStatus s = backend.parseStatus(r);
    if (s == VmStatus.UNKNOWN) {
      throw new VmException(
          "unrecognized system status \""
              + backend.rawStatus(r)
              + "\" of instance "
              + Q
              + "; recover with `finch vm stop -f` or `finch vm remove -f`");
    }
    return s;
  }

  /**
   * Probes the state (refusing an unknown one) and refuses the two states from which the operation
   * is illegal, each with Finch's message for it.
   */
  private void refuseWhen(
      VmStatus first, String firstMessage, VmStatus second, String secondMessage)
      throws VmException {
    VmStatus s = knownStatus();
    if (s == first) {
      throw new VmException(firstMessage);
    }
    if (s == second) {
      throw new VmException(secondMessage);
    }
  }

  /** {@code finch vm init}: Nonexistent to Running. */
  public void init() throws VmException {
    refuseWhen(VmStatus.RUNNING, ALREADY_RUNNING, VmStatus.STOPPED, INIT_ON_STOPPED);
    createAndBoot();
  }

  private void createAndBoot() throws VmException {
    bringUp(
        "Initializing and starting Finch virtual machine...",
        () -> backend.initCommands(config),
        () -> AppliedSettings.of(config));
    backend.afterInitWarning().ifPresent(log::warn);
  }

  /** {@code finch vm start}: Stopped to Running, re-applying restart-only settings. */
  public void start() throws VmException {
    refuseWhen(VmStatus.RUNNING, ALREADY_RUNNING, VmStatus.NONEXISTENT, START_ON_NONEXISTENT);
    boot();
  }

  private void boot() throws VmException {
    bringUp(
        "Starting existing Finch virtual machine...",
        () -> backend.startCommands(config),
        () -> applied().map(a -> a.restartedWith(config)).orElse(AppliedSettings.of(config)));
    pendingChanges().forEach(p -> log.warn(p.message()));
  }

  /** The backend's commands for {@code init} or {@code start}, which may need to write files. */
  private interface StartSteps {
    List<CommandSpec> get() throws IOException;
  }

  /**
   * What {@code init} and {@code start} share: runs {@code steps}, waits for the VM to run, then
   * records {@code settings} (computed only then, as start derives them from the last record).
   */
  private void bringUp(
      String announcement, StartSteps steps, java.util.function.Supplier<AppliedSettings> settings)
      throws VmException {
    log.info(announcement);
    List<CommandSpec> commands;
    try {
      commands = steps.get();
    } catch (IOException e) {
      throw new VmException("Finch virtual machine failed to start: " + e.getMessage(), e);
    }
    runAll(commands, "start");
    backend.awaitRunning();
    record(settings.get());
    log.info("Finch virtual machine started successfully");
  }

  /** {@code finch vm stop [-f]}: Running to Stopped; {@code -f} skips the state check. */
  public void stop(boolean force) throws VmException {
    if (!force) {
      refuseWhen(VmStatus.NONEXISTENT, DOES_NOT_EXIST, VmStatus.STOPPED, ALREADY_STOPPED);
    }
    log.info(
        force
            ? "Forcibly stopping Finch virtual machine..."
            : "Stopping existing Finch virtual machine...");
    runAll(backend.stopCommands(force), "stop");
    backend.awaitStopped();
    log.info("Finch virtual machine stopped successfully");
  }

  /** {@code finch vm remove [-f]}: Stopped to Nonexistent; {@code -f} skips the state check. */
  public void remove(boolean force) throws VmException {
    if (!force) {
      refuseWhen(VmStatus.NONEXISTENT, DOES_NOT_EXIST, VmStatus.RUNNING, REMOVE_ON_RUNNING);
    }
    log.info(
        force
            ? "Forcibly removing Finch virtual machine..."
            : "Removing existing Finch virtual machine...");
    runAll(backend.removeCommands(force), "remove");
    try {
      Files.deleteIfExists(backend.appliedSettingsFile());
    } catch (IOException e) {
      log.debug("cannot delete " + backend.appliedSettingsFile() + ": " + e.getMessage());
    }
    log.info("Finch virtual machine removed successfully");
  }

  /**
   * Makes sure the VM runs before a container command: with {@code auto_vm_start} it creates or
   * starts it (probing the state once), otherwise it refuses with Finch's message naming the
   * command to run.
   */
  public void ensureRunning() throws VmException {
    VmStatus s = status();
    switch (s) {
      case RUNNING -> {}
      case UNKNOWN -> throw new VmException(AUTO_UNKNOWN);
      case NONEXISTENT -> {
        if (!config.autoVmStart()) {
          throw new VmException(AUTO_NONEXISTENT);
        }
        createAndBoot();
      }
      case STOPPED -> {
        if (!config.autoVmStart()) {
          throw new VmException(AUTO_STOPPED);
        }
        boot();
      }
    }
  }

  /** {@code finch vm disk info}: the backend's disk listing, verbatim. */
  public String diskInfo() throws VmException {
    CommandSpec spec =
        backend
            .diskInfoCommand()
            .orElseThrow(() -> new VmException("finch vm disk is available on macOS only"));
    CommandResult r;
    try {
      r = runner.run(spec);
    } catch (CommandFailedException e) {
      throw new VmException(e.getMessage(), e);
    }
    if (!r.ok() || r.out().isBlank()) {
      throw new VmException("no disk information found for virtual machine " + Q);
    }
    return r.out();
  }

  /** Keys changed in finch.yaml since the VM applied them; empty when nothing was recorded. */
  public List<PendingChange> pendingChanges() {
    return applied().map(a -> a.pending(config)).orElse(List.of());
  }

  private Optional<AppliedSettings> applied() {
    try {
      return AppliedSettings.read(backend.appliedSettingsFile());
    } catch (IOException e) {
      log.debug("cannot read " + backend.appliedSettingsFile() + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private void record(AppliedSettings settings) {
    try {
      settings.write(backend.appliedSettingsFile());
    } catch (IOException e) {
      log.warn(
          "cannot record the applied settings in "
              + backend.appliedSettingsFile()
              + ": "
              + e.getMessage());
    }
  }

  private void runAll(List<CommandSpec> steps, String verb) throws VmException {
    for (CommandSpec step : steps) {
      log.debug("running " + step.display());
      CommandResult r;
      try {
        r = runner.stream(step, log::debug);
      } catch (CommandFailedException e) {
        throw new VmException(
            "Finch virtual machine failed to " + verb + ", debug logs:\n" + e.getMessage(), e);
      }
      if (!r.ok()) {
        throw new VmException(
            "Finch virtual machine failed to "
                + verb
                + ", debug logs:\n"
                + r.combined().stripTrailing());
      }
    }
  }
}
