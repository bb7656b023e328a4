package dev.finch.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One child process to run: exactly what tests assert on. Keeping it a value (and not a configured
 * {@code ProcessBuilder}) is what lets every VM transition, every pass-through and every
 * credential-helper call be checked argv by argv without running limactl, nerdctl or the helper.
 *
 * @param argv program and arguments; never empty
 * @param env variables set on top of the inherited environment
 * @param workdir working directory, empty for the current one
 * @param stdin where standard input comes from
 * @param io whether output is captured or goes straight to the terminal
 * @param timeout how long the child may run before it is killed and the run fails; empty (the
 *     default) for no limit, since most children are the user's own long commands
 */
public record CommandSpec(
    List<String> argv,
    Map<String, String> env,
    Optional<Path> workdir,
    Stdin stdin,
    Io io,
    Optional<Duration> timeout) {

  public CommandSpec {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("argv must name a program");
    }
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    Objects.requireNonNull(workdir, "workdir");
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(io, "io");
    Objects.requireNonNull(timeout, "timeout");
  }

  /** Where the child's standard input comes from. */
  public sealed interface Stdin {
    /** The terminal's (or this process's) own standard input. */
    record Inherit() implements Stdin {}

    /** Nothing: the child sees end of file. */
    record Closed() implements Stdin {}

    /**
     * The given text, then end of file: a provisioning script piped to {@code bash -s}, a server
     * URL to a credential helper.
     */
    record Text(String text) implements Stdin {
      public Text {
        Objects.requireNonNull(text, "text");
      }
    }

    /**
     * Text known only later, then end of file: a go-ahead for a child that works beside something
     * else the caller runs, written when {@code text} completes (with null, or exceptionally: end
     * of file alone). The child's output is read meanwhile.
     */
    record Later(java.util.concurrent.CompletableFuture<String> text) implements Stdin {
      public Later {
        Objects.requireNonNull(text, "text");
      }
    }
  }

  /** Whether the child's output is captured into the {@link CommandResult}. */
  public enum Io {
    /** Captured: the caller inspects or rewrites it. */
    CAPTURE,
    /** Inherited: the user sees progress and output live, as from nerdctl itself. */
    INHERIT,
    /**
     * Started and left running, output discarded: a keep-alive that must outlive finch (the WSL
     * distro stays up only while something runs in it).
     */
    DETACHED
  }

  /** A captured command with no extra environment, closed stdin and no timeout. */
  public static CommandSpec of(List<String> argv) {
    return new CommandSpec(
        argv, Map.of(), Optional.empty(), new Stdin.Closed(), Io.CAPTURE, Optional.empty());
  }

  /** A captured command with no extra environment, closed stdin and no timeout. */
  public static CommandSpec of(String... argv) {
    return of(List.of(argv));
  }

  /** A copy with {@code more} variables added (later values win). */
  public CommandSpec withEnv(Map<String, String> more) {
    Map<String, String> e = new LinkedHashMap<>(env);
    e.putAll(more);
    return new CommandSpec(argv, e, workdir, stdin, io, timeout);
  }

  /** A copy that runs in {@code dir}. */
  public CommandSpec withWorkdir(Path dir) {
    return new CommandSpec(argv, env, Optional.of(dir), stdin, io, timeout);
  }

  /** A copy with another standard input. */
  public CommandSpec withStdin(Stdin in) {
    return new CommandSpec(argv, env, workdir, in, io, timeout);
  }

  /** A copy that reads {@code text}, then end of file. */
  public CommandSpec withStdin(String text) {
    return withStdin(new Stdin.Text(text));
  }

  /** A copy with another output mode. */
  public CommandSpec withIo(Io mode) {
    return new CommandSpec(argv, env, workdir, stdin, mode, timeout);
  }

  /** A copy that is killed, and fails, when it runs longer than {@code limit}. */
  public CommandSpec withTimeout(Duration limit) {
    return new CommandSpec(argv, env, workdir, stdin, io, Optional.of(limit));
  }

  /** Terminal-attached: stdin, stdout and stderr are the user's. */
  public CommandSpec interactive() {
    return new CommandSpec(argv, env, workdir, new Stdin.Inherit(), Io.INHERIT, timeout);
  }

  /** The argv as one shell-like line, for messages and debug logs. */
  public String display() {
    StringBuilder b = new StringBuilder();
    for (String a : argv) {
      if (!b.isEmpty()) {
        b.append(' ');
      }
      b.append(a.isEmpty() || a.matches(".*[\\s'\"].*") ? "'" + a.replace("'", "'\\''") + "'" : a);
    }
    return b.toString();
  }
}
