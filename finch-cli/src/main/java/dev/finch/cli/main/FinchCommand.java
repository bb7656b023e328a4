package dev.finch.cli.main;

import dev.finch.cli.CompletionCommand;
import dev.finch.cli.FinchContext;
import dev.finch.cli.VersionCommand;
import dev.finch.cli.vm.VmCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root: {@code finch <command>}; without a command it prints usage. */
@Command(
    name = "finch",
    mixinStandardHelpOptions = true,
    versionProvider = FinchCommand.Version.class,
    description = "Build, run and publish containers; a Finch-compatible CLI.",
    subcommands = {VersionCommand.class, VmCommand.class, CompletionCommand.class})
public final class FinchCommand implements Runnable {
  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Show debug logs and stack traces.")
  boolean debug;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code finch --version}: {@code finch version vX.Y.Z}, as cobra prints Finch's. */
  public static final class Version implements IVersionProvider {
    private final FinchContext ctx;

    public Version(FinchContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public String[] getVersion() {
      return new String[] {"finch version " + ctx.env().version()};
    }
  }
}
