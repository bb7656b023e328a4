package dev.finch.soci.util.process;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A child process to run: its argv, extra environment, optional stdin text and a time limit.
 *
 * @param argv the program and its arguments; never empty
 * @param env variables added to (or overriding) the parent environment
 * @param stdin text written to the child's stdin, then closed; null for no input
 * @param timeout how long to wait before the child is killed
 */
public record CommandSpec(List<String> argv, Map<String, String> env, String stdin, Duration timeout) {
  /** The default time limit: generous for credential helpers that may prompt a keychain. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public CommandSpec {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty argv");
    }
    env = Map.copyOf(env == null ? Map.of() : env);
    timeout = Objects.requireNonNullElse(timeout, DEFAULT_TIMEOUT);
  }

  /** A command with no extra environment and no stdin. */
  public static CommandSpec of(String... argv) {
    return new CommandSpec(List.of(argv), Map.of(), null, DEFAULT_TIMEOUT);
  }

  /** This command with {@code text} written to its stdin. */
  public CommandSpec withStdin(String text) {
    return new CommandSpec(argv, env, text, timeout);
  }
}
