package dev.finch.cli.main;

import dev.finch.bridge.ArgTranslator;
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
import picocli.CommandLine;

/**
 * finch as a function: {@code run(out, err, args)} returns the exit code, so tests drive the whole
 * CLI in-process against a recording runner. finch.yaml is loaded (and validated) first, for every
 * command, as Finch does. Pass-through commands and {@code version} take a fast path that skips
 * building the picocli tree: they are the commands people run most, pass-through arguments are
 * never parsed anyway, and picocli's startup is most of finch's own (see {@link #versionFormat}).
 */
public final class FinchCli {
  private final FinchEnvironment env;

  public FinchCli(FinchEnvironment env) {
    this.env = env;
  }

  /**
   * Runs finch with {@code args}; never throws, never exits the JVM. Even a JVM error ends as one
   * {@code FATA} line (the stack trace only with {@code --debug}).
   */
  public int run(PrintWriter out, PrintWriter err, String... args) {
    List<String> leading = new ArrayList<>();
    int i = 0;
    while (i < args.length && args[i].startsWith("-")) {
      leading.add(args[i]);
      if (ArgTranslator.GLOBAL_VALUE_FLAGS.contains(args[i]) && i + 1 < args.length) {
        leading.add(args[++i]);
      }
      i++;
    }
    boolean debug = List.of(args).contains("--debug");
    CliLog log = new CliLog(err, debug);
    ErrorHandler handler = new ErrorHandler(log);
    try {
      LoadedConfig config = new ConfigLoader(env.host()).load();
      config.warnings().forEach(log::warn);
      FinchContext ctx = new FinchContext(env, config, log, out, err);
      if (i < args.length
          && PassthroughCommands.isPassthrough(
              args[i], env.host().os(), config.config().dockercompat())) {
        List<String> finchArgs = new ArrayList<>();
        leading.stream().filter(a -> !a.equals("--debug")).forEach(finchArgs::add);
        finchArgs.addAll(List.of(args).subList(i, args.length));
        return PassthroughCommand.run(ctx, finchArgs);
      }
      if (i < args.length
          && args[i].equals("version")
          && leading.stream().allMatch("--debug"::equals)) {
        Optional<String[]> format = versionFormat(List.of(args).subList(i + 1, args.length));
        if (format.isPresent()) {
          VersionCommand version = new VersionCommand(ctx);
          version.format(format.get().length == 0 ? null : format.get()[0]);
          return version.call();
        }
      }
      return commandLine(ctx, handler).execute(args);
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
