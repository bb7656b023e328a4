package dev.finch.vm.process;

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
