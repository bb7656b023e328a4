package dev.finch.cli.vm;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code finch vm disk}: the data disk group; alone it prints its usage. */
@Command(
    name = "disk",
    description = "Inspect the persistent data disk (macOS).",
    subcommands = VmDiskInfoCommand.class)
public final class VmDiskCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
