package dev.finch.soci.cli.main;

import dev.finch.soci.cli.ConvertCommand;
import dev.finch.soci.cli.CreateCommand;
import dev.finch.soci.cli.GlobalOptions;
import dev.finch.soci.cli.PushCommand;
import dev.finch.soci.cli.RebuildDbCommand;
import dev.finch.soci.cli.SociVersion;
import dev.finch.soci.cli.image.ImageCommand;
import dev.finch.soci.cli.index.IndexCommand;
import dev.finch.soci.cli.ztoc.ZtocCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code soci} root command: builds, pushes and inspects SOCI indexes. */
@Command(
    name = "soci",
    description =
        "Build, push and inspect SOCI (Seekable OCI) indexes for lazily loading container images.",
    mixinStandardHelpOptions = true,
    versionProvider = SociVersion.class,
    subcommands = {
      CreateCommand.class,
      ConvertCommand.class,
      PushCommand.class,
      IndexCommand.class,
      ZtocCommand.class,
      RebuildDbCommand.class,
      ImageCommand.class,
    })
final class SociCommand implements Runnable {
  @Spec CommandSpec spec;

  @picocli.CommandLine.Mixin GlobalOptions global;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
