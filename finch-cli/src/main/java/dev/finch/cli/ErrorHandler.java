package dev.finch.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place failures become output and exit codes: one {@code FATA[0000] <message>} line on
 * stderr and exit 1 for finch's own errors, silence and the guest's status for a failed guest
 * command, a stack trace only with {@code --debug}.
 */
public final class ErrorHandler
    implements IExecutionExceptionHandler, IParameterExceptionHandler, IExitCodeExceptionMapper {
  private final CliLog log;

  public ErrorHandler(CliLog log) {
    this.log = log;
  }

  /** Reports {@code t} and returns the exit code. */
  public int report(Throwable t) {
    FinchException f = FinchException.from(t);
    if (f instanceof FinchException.Failed) {
      log.fatal(f.getMessage());
      if (log.debugEnabled()) {
        Throwable cause = f.getCause() != null ? f.getCause() : f;
        java.io.StringWriter trace = new java.io.StringWriter();
        cause.printStackTrace(new java.io.PrintWriter(trace));
        log.debug(trace.toString().stripTrailing());
      }
    }
    return f.exitCode();
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    return report(ex);
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    return usageError(ex.getMessage(), ex.getCommandLine().getCommandSpec().qualifiedName());
  }

  /**
   * Reports a usage error of {@code command} (such as {@code finch vm stop}): the message and a
   * hint to its {@code --help} on one line. Exit status 1, as for finch's other errors and as
   * Finch's own command line exits on an unknown flag.
   */
  public int usageError(String message, String command) {
    log.fatal(message + "; run `" + command + " --help` for usage");
    return 1;
  }

  @Override
  public int getExitCode(Throwable exception) {
    return FinchException.from(exception).exitCode();
  }
}
