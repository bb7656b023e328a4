package dev.finch.vm.process;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One child process finch wants to run: exactly what tests assert on. Keeping it a value (and not
 * a configured {@code ProcessBuilder}) is what lets every VM transition and every pass-through be
 * checked argv by argv without running limactl, wsl.exe or nerdctl.
 *
 * @param argv program and arguments
 * @param env variables set on top of the inherited host environment
 * @param workdir working directory, empty for the current one
 * @param stdin where standard input comes from
 * @param io whether output is captured or goes straight to the terminal
 */
public record CommandSpec(
    List<String> argv, Map<String, String> env, Optional<Path> workdir, Stdin stdin, Io io) {

  public CommandSpec {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("argv must name a program");
    }
    env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    Objects.requireNonNull(workdir, "workdir");
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(io, "io");
  }

  /** Where the child's standard input comes from. */
  public sealed interface Stdin {
    /** The terminal's (or finch's) own standard input. */
    record Inherit() implements Stdin {}

    /** Nothing: the child sees end of file. */
    record Closed() implements Stdin {}

    /** The given text, e.g. a provisioning script piped to {@code bash -s}. */
    record Text(String text) implements Stdin {}
  }

  /** Whether the child's output is captured into the {@link CommandResult}. */
  public enum Io {
    /** Captured: finch inspects or rewrites it. */
    CAPTURE,
    /** Inherited: the user sees progress and output live, as from nerdctl itself. */
    INHERIT,
    /**
     * Started and left running, output discarded: a keep-alive that must outlive finch (the WSL
     * distro stays up only while something runs in it).
     */
    DETACHED
  }

  /** A captured command with no extra environment and closed stdin. */
  public static CommandSpec of(List<String> argv) {
    return new CommandSpec(argv, Map.of(), Optional.empty(), new Stdin.Closed(), Io.CAPTURE);
  }

  /** A captured command with no extra environment and closed stdin. */
  public static CommandSpec of(String... argv) {
    return of(List.of(argv));
  }

  /** A copy with {@code more} variables added (later values win). */
  public CommandSpec withEnv(Map<String, String> more) {
    Map<String, String> e = new LinkedHashMap<>(env);
    e.putAll(more);
    return new CommandSpec(argv, e, workdir, stdin, io);
  }

  /** A copy that runs in {@code dir}. */
  public CommandSpec withWorkdir(Path dir) {
    return new CommandSpec(argv, env, Optional.of(dir), stdin, io);
  }

  /** A copy with another standard input. */
  public CommandSpec withStdin(Stdin in) {
    return new CommandSpec(argv, env, workdir, in, io);
  }

  /** A copy with another output mode. */
  public CommandSpec withIo(Io mode) {
    return new CommandSpec(argv, env, workdir, stdin, mode);
  }

  /** Terminal-attached: stdin, stdout and stderr are the user's. */
  public CommandSpec interactive() {
    return new CommandSpec(argv, env, workdir, new Stdin.Inherit(), Io.INHERIT);
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
