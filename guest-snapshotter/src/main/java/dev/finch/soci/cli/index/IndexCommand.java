package dev.finch.soci.cli.index;

import picocli.CommandLine.Command;

/** {@code soci index}: list, inspect and remove SOCI indexes in the local store. */
@Command(
    name = "index",
    description = "Manage SOCI indexes",
    mixinStandardHelpOptions = true,
    subcommands = {IndexListCommand.class, IndexInfoCommand.class, IndexRemoveCommand.class})
public final class IndexCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
