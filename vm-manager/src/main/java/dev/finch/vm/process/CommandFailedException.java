package dev.finch.vm.process;

import java.util.List;

/**
 * A child process could not be started or ended unsuccessfully where finch needed it to succeed.
 * It carries the argv, exit code and stderr so the user can rerun or report the exact command.
 */
public final class CommandFailedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final List<String> argv;
  private final int exit;
  private final String stderr;

  public CommandFailedException(List<String> argv, int exit, String stderr) {
    super(message(argv, exit, stderr));
    this.argv = List.copyOf(argv);
    this.exit = exit;
    this.stderr = stderr;
  }

  public CommandFailedException(List<String> argv, String why, Throwable cause) {
    super("cannot run " + String.join(" ", argv) + ": " + why, cause);
    this.argv = List.copyOf(argv);
    this.exit = -1;
    this.stderr = "";
  }

  private static String message(List<String> argv, int exit, String stderr) {
    String tail = stderr.strip();
    return String.join(" ", argv) + " exited with status " + exit
        + (tail.isEmpty() ? "" : ": " + tail.replace('\n', ' '));
  }

  public List<String> argv() {
    return argv;
  }

  /** The exit status, or -1 when the program could not be started. */
  public int exit() {
    return exit;
  }

  public String stderr() {
    return stderr;
  }
}
