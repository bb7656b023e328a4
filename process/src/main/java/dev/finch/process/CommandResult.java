package dev.finch.process;

/**
 * How a child process ended.
 *
 * @param exit exit status (for inherited output, the only information)
 * @param out captured standard output, empty when output was inherited
 * @param err captured standard error, empty when output was inherited
 */
public record CommandResult(int exit, String out, String err) {
  public CommandResult {
    out = out == null ? "" : out;
    err = err == null ? "" : err;
  }

  /** Whether the command exited 0. */
  public boolean ok() {
    return exit == 0;
  }

  /**
   * This result when the command exited 0; otherwise a {@link CommandFailedException} naming the
   * argv of {@code spec}, the exit status and stderr.
   */
  public CommandResult orThrow(CommandSpec spec) throws CommandFailedException {
    if (!ok()) {
      throw new CommandFailedException(spec.argv(), exit, err);
    }
    return this;
  }

  /** stdout then stderr, as Finch shows "debug logs" of a failed limactl call. */
  public String combined() {
    if (out.isEmpty()) {
      return err;
    }
    if (err.isEmpty()) {
      return out;
    }
    return out.endsWith("\n") ? out + err : out + "\n" + err;
  }
}
