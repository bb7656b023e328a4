package dev.finch.soci.util.process;

/**
 * What a finished child process left behind.
 *
 * @param exit the exit status
 * @param out everything written to stdout (UTF-8)
 * @param err everything written to stderr (UTF-8)
 */
public record CommandResult(int exit, String out, String err) {
  public boolean succeeded() {
    return exit == 0;
  }
}
