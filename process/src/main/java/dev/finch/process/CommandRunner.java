package dev.finch.process;

import java.util.function.Consumer;

/**
 * The single seam through which every child process is run: on the host limactl, wsl.exe, nerdctl,
 * ctr and soci; in the guest credential helpers, tar and the mount tools. Production code uses
 * {@link ProcessCommandRunner}; tests substitute a recording runner and assert the exact argv
 * sequence.
 */
@FunctionalInterface
public interface CommandRunner {
  /**
   * Runs {@code spec} to completion.
   *
   * @return the exit status and, for captured commands, the output; a non-zero exit is a result,
   *     not an exception, because the caller decides what it means (the guest's exit code is
   *     finch's exit code); {@link CommandResult#orThrow} turns it into one
   * @throws CommandFailedException when the program cannot be started, or runs past the spec's
   *     timeout (it is killed then)
   */
  CommandResult run(CommandSpec spec) throws CommandFailedException;

  /**
   * Runs a captured {@code spec} and hands each output line (stdout and stderr merged) to {@code
   * lines} as it is printed, so long steps (limactl start, soci create) show progress instead of
   * going quiet. The result still holds the whole output, in {@code out}.
   *
   * <p>The default runs to completion first and then replays the lines, which is what a recording
   * runner in tests needs; {@link ProcessCommandRunner} streams for real.
   */
  default CommandResult stream(CommandSpec spec, Consumer<String> lines)
      throws CommandFailedException {
    CommandResult r = run(spec);
    r.combined().lines().forEach(lines);
    return new CommandResult(r.exit(), r.combined(), "");
  }
}
