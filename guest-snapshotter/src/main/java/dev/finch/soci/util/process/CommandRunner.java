package dev.finch.soci.util.process;

import java.io.IOException;

/**
 * The one seam through which the guest code starts child processes (credential helpers, tools).
 * Tests pass a fake that records argv and answers canned output.
 */
@FunctionalInterface
public interface CommandRunner {
  /**
   * Runs {@code spec} to completion and returns its exit status and output. A non-zero exit is not an
   * error here; callers decide (see {@link CommandFailedException}).
   *
   * @throws IOException when the program cannot be started or times out
   */
  CommandResult run(CommandSpec spec) throws IOException;
}
