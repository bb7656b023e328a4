package dev.finch.vm;

import dev.finch.config.FinchConfig;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A way to run finch's Linux guest as a VM. A backend only knows its tool's argv and how to read
 * the tool's output; {@link VmLifecycle} owns the state machine, so both backends refuse illegal
 * transitions with the same messages. Native Linux is not a backend (see {@link NativeGuest}); a
 * Linux host runs a VM only with {@code vmType: qemu} ({@link QemuBackend}).
 */
public sealed interface VmBackend extends GuestShell permits LimaBackend, WslBackend, QemuBackend {
  /** The name Finch uses for its instance in messages. */
  String INSTANCE = "finch";

  /** The probe whose output {@link #parseStatus} reads. */
  CommandSpec statusCommand();

  /** Reads the probe's result; anything not understood is {@link VmStatus#UNKNOWN}. */
  VmStatus parseStatus(CommandResult probe);

  /** The backend's own word for the state, for messages about an unknown state. */
  String rawStatus(CommandResult probe);

  /** Writes what init needs (templates) and returns the commands that create and boot the VM. */
  List<CommandSpec> initCommands(FinchConfig config) throws IOException;

  /** Rewrites per-start settings and returns the commands that boot the stopped VM. */
  List<CommandSpec> startCommands(FinchConfig config) throws IOException;

  /** Commands that stop the VM. */
  List<CommandSpec> stopCommands(boolean force);

  /** Commands that delete the VM (the persistent data disk survives). */
  List<CommandSpec> removeCommands(boolean force);

  /** The command listing the VM's disks, when the backend has one. */
  Optional<CommandSpec> diskInfoCommand();

  /** Where the finch.yaml values the VM was configured with are remembered. */
  Path appliedSettingsFile();

  /**
   * Waits, bounded, until the guest that the init or start commands booted is usable (SSH answers,
   * provisioning done), reporting progress. limactl and wsl.exe wait themselves; QEMU does not.
   */
  default void awaitRunning() throws VmException {}

  /** Waits, bounded, until the VM that the stop commands shut down is gone. */
  default void awaitStopped() throws VmException {}

  /** A warning shown after a successful init, if the backend has one. */
  default Optional<String> afterInitWarning() {
    return Optional.empty();
  }
}
