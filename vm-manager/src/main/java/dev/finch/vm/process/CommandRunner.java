package dev.finch.vm.process;

/**
 * The single seam through which finch runs every child process (limactl, wsl.exe, nerdctl, ctr,
 * soci). Production code uses {@link ProcessCommandRunner}; tests substitute a recording runner
 * and assert the exact argv sequence.
 */
public interface CommandRunner {
  /**
   * Runs {@code spec} to completion.
   *
   * @return the exit status and, for captured commands, the output; a non-zero exit is a result,
   *     not an exception, because the guest's exit code is finch's exit code
   * @throws CommandFailedException when the program cannot be started at all
   */
  CommandResult run(CommandSpec spec) throws CommandFailedException;

  /** Runs {@code spec} and fails unless it exits 0. */
  default CommandResult runChecked(CommandSpec spec) throws CommandFailedException {
    CommandResult r = run(spec);
    if (!r.ok()) {
      throw new CommandFailedException(spec.argv(), r.exit(), r.err());
    }
    return r;
  }
}
