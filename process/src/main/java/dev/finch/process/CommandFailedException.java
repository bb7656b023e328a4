package dev.finch.process;

import java.io.IOException;
import java.util.List;

/**
 * A child process could not do what its caller needed: it could not be started, it ran past its
 * {@link CommandSpec#timeout()}, or it exited non-zero where the caller asked for success ({@link
 * CommandResult#orThrow}). It carries the argv, the exit status and stderr, so the user can rerun
 * or report the exact command.
 *
 * <p>It is checked, so no caller forgets that a program may be missing, and it is an {@link
 * IOException} (running a program is I/O), so code that already propagates I/O failures, as the
 * guest's registry and unpacking code does, needs no new catch.
 */
public final class CommandFailedException extends IOException {
  private static final long serialVersionUID = 1L;
  private final List<String> argv;
  private final int exit;
  private final String stderr;

  /** The command ran and exited with {@code exit}, printing {@code stderr}. */
  public CommandFailedException(List<String> argv, int exit, String stderr) {
    super(message(argv, exit, stderr));
    this.argv = List.copyOf(argv);
    this.exit = exit;
    this.stderr = stderr;
  }

  /** The command did not run to its end ({@code why}: not started, timed out, interrupted). */
  public CommandFailedException(List<String> argv, String why, Throwable cause) {
    super("cannot run " + String.join(" ", argv) + ": " + why, cause);
    this.argv = List.copyOf(argv);
    this.exit = -1;
    this.stderr = "";
  }

  private static String message(List<String> argv, int exit, String stderr) {
    String tail = stderr.strip();
    return String.join(" ", argv)
        + " exited with status "
        + exit
        + (tail.isEmpty() ? "" : ": " + tail.replace('\n', ' '));
  }

  public List<String> argv() {
    return argv;
  }

  /** The exit status, or -1 when the program never ran to its end. */
  public int exit() {
    return exit;
  }

  /** What the program printed on stderr; empty when it never ran or its output was not captured. */
  public String stderr() {
    return stderr;
  }
}
