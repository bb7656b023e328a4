package dev.finch.vm;

import dev.finch.config.AppliedSettings;
import dev.finch.config.FinchConfig;
import dev.finch.config.PendingChange;
import dev.finch.vm.process.CommandFailedException;
import dev.finch.vm.process.CommandResult;
import dev.finch.vm.process.CommandRunner;
import dev.finch.vm.process.CommandSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/**
 * Finch's VM state machine: every operation probes the current state, refuses illegal
 * transitions with Finch's exact message (which names the command to run next), then runs the
 * backend's commands. Their output is streamed to the debug log ({@code --debug} shows limactl's
 * progress live) and kept for the "debug logs" of a failure, as Finch prints them. Forced stop and remove skip the check, which is how a user recovers from an
 * unknown state.
 *
 * <pre>
 * Nonexistent --init--> Running --stop--> Stopped --start--> Running
 * Stopped --remove--> Nonexistent        any --stop -f / remove -f--> (no check)
 * </pre>
 */
public final class VmLifecycle {
  private static final String Q = "\"" + VmBackend.INSTANCE + "\"";
  static final String ALREADY_RUNNING = "the instance " + Q + " is already running";
  static final String INIT_ON_STOPPED = "the instance " + Q + " already exists but is stopped, "
      + "run `finch vm start` to start the existing instance";
  static final String START_ON_NONEXISTENT = "the instance " + Q + " does not exist, "
      + "run `finch vm init` to create a new instance";
  static final String DOES_NOT_EXIST = "the instance " + Q + " does not exist";
  static final String ALREADY_STOPPED = "the instance " + Q + " is already stopped";
  static final String REMOVE_ON_RUNNING = "the instance " + Q + " is running, "
      + "run `finch vm stop` to stop the instance first";
  static final String AUTO_NONEXISTENT = "instance " + Q + " does not exist, "
      + "run `finch vm init` to create a new instance";
  static final String AUTO_STOPPED = "instance " + Q + " is stopped, "
      + "run `finch vm start` to start the instance";
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
      throw new VmException("unrecognized system status \"" + backend.rawStatus(r)
          + "\" of instance " + Q + "; recover with `finch vm stop -f` or `finch vm remove -f`");
    }
    return s;
  }

  /** {@code finch vm init}: Nonexistent to Running. */
  public void init() throws VmException {
    switch (knownStatus()) {
      case RUNNING -> throw new VmException(ALREADY_RUNNING);
      case STOPPED -> throw new VmException(INIT_ON_STOPPED);
      default -> { }
    }
    createAndBoot();
  }

  private void createAndBoot() throws VmException {
    log.info("Initializing and starting Finch virtual machine...");
    List<CommandSpec> steps;
    try {
      steps = backend.initCommands(config);
    } catch (IOException e) {
      throw new VmException("Finch virtual machine failed to start: " + e.getMessage(), e);
    }
    runAll(steps, "start");
    backend.awaitRunning();
    record(AppliedSettings.of(config));
    log.info("Finch virtual machine started successfully");
    backend.afterInitWarning().ifPresent(log::warn);
  }

  /** {@code finch vm start}: Stopped to Running, re-applying restart-only settings. */
  public void start() throws VmException {
    switch (knownStatus()) {
      case RUNNING -> throw new VmException(ALREADY_RUNNING);
      case NONEXISTENT -> throw new VmException(START_ON_NONEXISTENT);
      default -> { }
    }
    boot();
  }

  private void boot() throws VmException {
    log.info("Starting existing Finch virtual machine...");
    List<CommandSpec> steps;
    try {
      steps = backend.startCommands(config);
    } catch (IOException e) {
      throw new VmException("Finch virtual machine failed to start: " + e.getMessage(), e);
    }
    runAll(steps, "start");
    backend.awaitRunning();
    Optional<AppliedSettings> before = applied();
    record(before.map(a -> a.restartedWith(config)).orElse(AppliedSettings.of(config)));
    log.info("Finch virtual machine started successfully");
    pendingChanges().forEach(p -> log.warn(p.message()));
  }

  /** {@code finch vm stop [-f]}: Running to Stopped; {@code -f} skips the state check. */
  public void stop(boolean force) throws VmException {
    if (!force) {
      switch (knownStatus()) {
        case NONEXISTENT -> throw new VmException(DOES_NOT_EXIST);
        case STOPPED -> throw new VmException(ALREADY_STOPPED);
        default -> { }
      }
      log.info("Stopping existing Finch virtual machine...");
    } else {
      log.info("Forcibly stopping Finch virtual machine...");
    }
    runAll(backend.stopCommands(force), "stop");
    backend.awaitStopped();
    log.info("Finch virtual machine stopped successfully");
  }

  /** {@code finch vm remove [-f]}: Stopped to Nonexistent; {@code -f} skips the state check. */
  public void remove(boolean force) throws VmException {
    if (!force) {
      switch (knownStatus()) {
        case NONEXISTENT -> throw new VmException(DOES_NOT_EXIST);
        case RUNNING -> throw new VmException(REMOVE_ON_RUNNING);
        default -> { }
      }
      log.info("Removing existing Finch virtual machine...");
    } else {
      log.info("Forcibly removing Finch virtual machine...");
    }
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
      case RUNNING -> { }
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
    CommandSpec spec = backend.diskInfoCommand().orElseThrow(() ->
        new VmException("finch vm disk is available on macOS only"));
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
      log.warn("cannot record the applied settings in " + backend.appliedSettingsFile() + ": "
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
        throw new VmException("Finch virtual machine failed to " + verb + ", debug logs:\n"
            + e.getMessage(), e);
      }
      if (!r.ok()) {
        throw new VmException("Finch virtual machine failed to " + verb + ", debug logs:\n"
            + r.combined().stripTrailing());
      }
    }
  }
}
