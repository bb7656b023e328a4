package dev.finch.soci.cli;

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
    quietLibraryLogging(java.util.Arrays.asList(args).contains("--debug"));
    CommandLine cl = new CommandLine(new SociCommand());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          boolean debug = parseResult.hasMatchedOption("--debug");
          commandLine.getErr().println("soci: " + userMessage(ex));
          if (debug) {
            ex.printStackTrace(commandLine.getErr());
          }
          commandLine.getErr().flush();
          return ex instanceof SociException se ? se.exitCode() : 1;
        });
    cl.setParameterExceptionHandler(
        (ex, args1) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println("soci: " + ex.getMessage());
          c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
          c.getErr().flush();
          return 2;
        });
    int rc = cl.execute(args);
    out.flush();
    err.flush();
    return rc;
  }

  // grpc-netty and netty log harmless notices through java.util.logging (e.g. an unsupported socket
  // option on unix sockets); a CLI prints only its own lines unless --debug.
  private static void quietLibraryLogging(boolean debug) {
    java.util.logging.Logger.getLogger("io.netty").setLevel(debug ? java.util.logging.Level.FINE : java.util.logging.Level.SEVERE);
    java.util.logging.Logger.getLogger("io.grpc").setLevel(debug ? java.util.logging.Level.FINE : java.util.logging.Level.SEVERE);
  }

  /** One line describing {@code t} for a user; typed errors carry their own wording. */
  static String userMessage(Throwable t) {
    if (t instanceof SociException
        || t instanceof dev.finch.soci.containerd.ContainerdException
        || t instanceof dev.finch.soci.registry.RegistryException) {
      return oneLine(String.valueOf(t.getMessage()));
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
    if (t instanceof RuntimeException && !(t instanceof IllegalArgumentException)
        && !(t instanceof java.io.UncheckedIOException)) {
      return "internal error: " + oneLine(msg) + " (run with --debug for details)";
    }
    return oneLine(msg);
  }

  static String oneLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
