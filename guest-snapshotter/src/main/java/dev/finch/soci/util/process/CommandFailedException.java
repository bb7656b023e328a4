package dev.finch.soci.util.process;

import java.util.List;

/** A child process exited non-zero; the message names argv, the exit code and stderr. */
public final class CommandFailedException extends RuntimeException {
  private final List<String> argv;
  private final CommandResult result;

  public CommandFailedException(List<String> argv, CommandResult result) {
    super(String.join(" ", argv) + ": exit status " + result.exit()
        + (result.err().isBlank() ? "" : ": " + result.err().strip()));
    this.argv = List.copyOf(argv);
    this.result = result;
  }

  public List<String> argv() {
    return argv;
  }

  public CommandResult result() {
    return result;
  }
}
