package dev.finch.cli.main;

import dev.finch.bridge.GlobalFlags;
import dev.finch.bridge.PassthroughCommands;
import dev.finch.cli.CliLog;
import dev.finch.cli.CommandFactory;
import dev.finch.cli.ErrorHandler;
import dev.finch.cli.FinchContext;
import dev.finch.cli.FinchEnvironment;
import dev.finch.cli.VersionCommand;
import dev.finch.cli.passthrough.PassthroughCommand;
import dev.finch.config.ConfigLoader;
import dev.finch.config.LoadedConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;

/**
 * finch as a function: {@code run(out, err, args)} returns the exit code, so tests drive the whole
 * CLI in-process against a recording runner. finch.yaml is loaded (and validated) first, for every
 * command, as Finch does. Pass-through commands and {@code version} take a fast path that skips
 * building the picocli tree: they are the commands people run most, pass-through arguments are
 * never parsed anyway, and picocli's startup is most of finch's own (see {@link #versionFormat}).
 */
public final class FinchCli {
  /** The root's own options that may come before the command, beside nerdctl's global ones. */
  private static final Set<String> ROOT_OPTIONS = Set.of("-h", "--help", "-V", "--version");

  private final FinchEnvironment env;

  public FinchCli(FinchEnvironment env) {
    this.env = env;
  }

  /**
   * Runs finch with {@code args}; never throws, never exits the JVM. Even a JVM error ends as one
   * {@code FATA} line (the stack trace only with {@code --debug}).
   */
  public int run(PrintWriter out, PrintWriter err, String... args) {
    List<String> all = List.of(args);
    GlobalFlags.Leading leading = GlobalFlags.leading(all, ROOT_OPTIONS);
    int i = leading.command();
    boolean debug = all.contains("--debug");
    CliLog log = new CliLog(err, debug);
    ErrorHandler handler = new ErrorHandler(log);
    try {
      LoadedConfig config = new ConfigLoader(env.host()).load();
      config.warnings().forEach(log::warn);
      FinchContext ctx = new FinchContext(env, config, log, out, err);
      Optional<String> problem = leading.problem();
      if (problem.isPresent()) {
        // picocli would name every leading nerdctl option and its value as unknown
        return handler.usageError(problem.get(), "finch");
      }
      if (i < args.length
          && PassthroughCommands.isPassthrough(
              args[i], env.host().os(), config.config().dockercompat())) {
        List<String> finchArgs = new ArrayList<>();
        leading.tokens().stream().filter(a -> !a.equals("--debug")).forEach(finchArgs::add);
        finchArgs.addAll(all.subList(i, args.length));
        return PassthroughCommand.run(ctx, finchArgs);
      }
      // finch's own commands ignore nerdctl's global options, which only the guest reads
      List<String> own = GlobalFlags.withoutGlobals(all, leading);
      if (i < args.length
          && args[i].equals("version")
          && leading.tokens().stream().allMatch("--debug"::equals)) {
        Optional<String[]> format = versionFormat(all.subList(i + 1, args.length));
        if (format.isPresent()) {
          VersionCommand version = new VersionCommand(ctx);
          version.format(format.get().length == 0 ? null : format.get()[0]);
          return version.call();
        }
      }
      return commandLine(ctx, handler).execute(own.toArray(String[]::new));
    } catch (Exception | Error e) {
      return handler.report(e);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * The arguments of a plain {@code finch version [-f F]}, which runs without building the picocli
   * tree: picocli's classes are Java 5 class files that the JVM's AOT cache cannot keep, so
   * building the tree costs more than the rest of {@code finch version}. Empty for anything else
   * (help, unknown flags), which picocli then parses and reports.
   */
  static Optional<String[]> versionFormat(List<String> rest) {
    List<String> r = rest.stream().filter(a -> !a.equals("--debug")).toList();
    if (r.isEmpty()) {
      return Optional.of(new String[0]);
    }
    if (r.size() == 2 && (r.get(0).equals("-f") || r.get(0).equals("--format"))) {
      return Optional.of(new String[] {r.get(1)});
    }
    if (r.size() == 1 && r.get(0).startsWith("--format=")) {
      return Optional.of(new String[] {r.get(0).substring("--format=".length())});
    }
    return Optional.empty();
  }

  /** The picocli tree for this invocation. */
  static CommandLine commandLine(FinchContext ctx, ErrorHandler handler) {
    CommandLine cl = new CommandLine(FinchCommand.class, new CommandFactory(ctx));
    PassthroughCommand.register(cl, ctx);
    cl.setOut(ctx.out());
    cl.setErr(ctx.err());
    cl.setExecutionExceptionHandler(handler);
    cl.setParameterExceptionHandler(handler);
    cl.setExitCodeExceptionMapper(handler);
    return cl;
  }
}
