package dev.finch.soci.cli.main;

import dev.finch.soci.cli.Invocation;
import dev.finch.soci.cli.SociException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Entry point of the {@code soci} CLI, runnable in-process for tests: {@link #run} returns the exit
 * code and writes only to the given streams. Every failure becomes one line on stderr (stack traces
 * only with {@code --debug}).
 */
public final class SociCli {
  private SociCli() {}

  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(out, err, Invocation.ofProcess(), args);
  }

  /** {@link #run(PrintWriter, PrintWriter, String...)} for a command line from {@code inv}. */
  public static int run(PrintWriter out, PrintWriter err, Invocation inv, String... args) {
    Integer rc = runIf(out, err, inv, null, args);
    return rc == null ? 2 : rc;
  }

  /**
   * Runs {@code args} (parsed once) unless {@code refuse} finds a reason not to; returns the exit
   * code, or null when refused (nothing was run or printed). The rpull handoff runs only a
   * well-formed {@code image rpull} this way (see {@link #handoffRefusal}).
   */
  public static Integer runIf(
      PrintWriter out,
      PrintWriter err,
      Invocation inv,
      java.util.function.Function<CommandLine.ParseResult, String> refuse,
      String... args) {
    return runIf(newTree(), out, err, inv, refuse, args);
  }

  /**
   * A fresh command tree for one {@link #runIf(CommandLine, PrintWriter, PrintWriter, Invocation,
   * java.util.function.Function, String...)}. Building it takes ~20 ms of reflection, so the daemon
   * builds the next handed-off rpull's while it is idle.
   */
  public static CommandLine newTree() {
    SociCommand root = new SociCommand();
    CommandLine cl = new CommandLine(root);
    cl.setDefaultValueProvider(arg -> root.global.invocation().envDefault(annotatedDefault(arg)));
    return cl;
  }

  /**
   * {@link #runIf(PrintWriter, PrintWriter, Invocation, java.util.function.Function, String...)} on
   * a tree from {@link #newTree()}, used once.
   */
  public static Integer runIf(
      CommandLine cl,
      PrintWriter out,
      PrintWriter err,
      Invocation inv,
      java.util.function.Function<CommandLine.ParseResult, String> refuse,
      String... args) {
    if (!inv.embedded()) {
      quietLibraryLogging(java.util.Arrays.asList(args).contains("--debug"));
    }
    ((SociCommand) cl.getCommand()).global.invocation(inv);
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    CommandLine.ParseResult pr;
    try {
      pr = cl.parseArgs(args);
    } catch (CommandLine.ParameterException ex) {
      return refuse != null ? null : usageError(ex);
    }
    if (refuse != null && refuse.apply(pr) != null) {
      return null;
    }
    int rc;
    try {
      rc = new CommandLine.RunLast().execute(pr);
    } catch (CommandLine.ParameterException ex) {
      rc = usageError(ex);
    } catch (CommandLine.ExecutionException ex) {
      Throwable cause = ex.getCause() == null ? ex : ex.getCause();
      ex.getCommandLine().getErr().println("soci: " + userMessage(cause));
      if (matched(pr, "--debug")) {
        cause.printStackTrace(ex.getCommandLine().getErr());
      }
      rc = cause instanceof SociException se ? se.exitCode() : 1;
    }
    out.flush();
    err.flush();
    return rc;
  }

  private static int usageError(CommandLine.ParameterException ex) {
    CommandLine c = ex.getCommandLine();
    c.getErr().println("soci: " + ex.getMessage());
    c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
    c.getErr().flush();
    return 2;
  }

  // given at any level of the command line (the global options are inherited)
  private static boolean matched(CommandLine.ParseResult pr, String option) {
    for (CommandLine.ParseResult p = pr; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption(option)) {
        return true;
      }
    }
    return false;
  }

  // the default as written in the annotation, before picocli reads ${env:...} from this JVM
  private static String annotatedDefault(CommandLine.Model.ArgSpec arg) {
    if (arg.userObject() instanceof java.lang.reflect.Field f) {
      CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
      if (o != null) {
        return o.defaultValue();
      }
      CommandLine.Parameters p = f.getAnnotation(CommandLine.Parameters.class);
      return p == null ? null : p.defaultValue();
    }
    return null;
  }

  /**
   * Why the daemon should not run a handed-off command line, or null when it may: only a
   * well-formed {@code image rpull} without {@code --help} or {@code --version} is run there; the
   * client runs anything else itself, which also prints any usage error.
   */
  public static String handoffRefusal(CommandLine.ParseResult pr) {
    java.util.List<String> names = new java.util.ArrayList<>();
    for (CommandLine.ParseResult p = pr; p != null; p = p.subcommand()) {
      if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
        return "help requested";
      }
      names.add(p.commandSpec().name());
    }
    return names.equals(java.util.List.of("soci", "image", "rpull")) ? null : "not an image rpull";
  }

  // grpc-netty and netty log harmless notices through java.util.logging (e.g. an unsupported socket
  // option on unix sockets); a CLI prints only its own lines unless --debug.
  private static void quietLibraryLogging(boolean debug) {
    java.util.logging.Logger.getLogger("io.netty")
        .setLevel(debug ? java.util.logging.Level.FINE : java.util.logging.Level.SEVERE);
    java.util.logging.Logger.getLogger("io.grpc")
        .setLevel(debug ? java.util.logging.Level.FINE : java.util.logging.Level.SEVERE);
  }

  /** One line describing {@code t} for a user; typed errors carry their own wording. */
  static String userMessage(Throwable t) {
    if (t instanceof SociException
        || t instanceof dev.finch.soci.containerd.ContainerdException
        || t instanceof dev.finch.soci.registry.RegistryException) {
      return SociException.firstLine(String.valueOf(t.getMessage()));
    }
    if (t instanceof NoSuchFileException nsf) {
      return "not found: " + nsf.getMessage();
    }
    if (t instanceof AccessDeniedException ade) {
      return "permission denied: " + ade.getMessage() + " (run as root or choose another --root)";
    }
    String msg = t.getMessage();
    if (msg == null || msg.isBlank()) {
      return "internal error: " + t.getClass().getSimpleName() + " (run with --debug for details)";
    }
    if (t instanceof RuntimeException
        && !(t instanceof IllegalArgumentException)
        && !(t instanceof java.io.UncheckedIOException)) {
      return "internal error: " + SociException.firstLine(msg) + " (run with --debug for details)";
    }
    return SociException.firstLine(msg);
  }
}
