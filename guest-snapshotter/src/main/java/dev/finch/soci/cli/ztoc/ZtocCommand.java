package dev.finch.soci.cli.ztoc;

import picocli.CommandLine.Command;

/** {@code soci ztoc}: list and inspect zTOCs, extract files through them. */
@Command(
    name = "ztoc",
    description = "Inspect zTOCs and extract files through them",
    mixinStandardHelpOptions = true,
    subcommands = {
      ZtocListCommand.class,
      ZtocInfoCommand.class,
      ZtocGetFileCommand.class,
      ZtocBuildCommand.class
    })
public final class ZtocCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
