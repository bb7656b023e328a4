package dev.finch.cli.vm;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code finch vm}: the VM lifecycle group; alone it prints its usage. */
@Command(
    name = "vm",
    description = "Manage the virtual machine that runs containers (macOS, Windows).",
    subcommands = {
      VmInitCommand.class,
      VmStartCommand.class,
      VmStopCommand.class,
      VmRemoveCommand.class,
      VmStatusCommand.class,
      VmDiskCommand.class
    })
public final class VmCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
