package dev.finch.process;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs commands with {@link ProcessBuilder}; the only class that does. Captured output is drained
 * on daemon platform threads (cheaper to start than the virtual-thread scheduler, which matters for
 * the CLI's start-up) so a chatty child cannot block on a full pipe.
 */
public final class ProcessCommandRunner implements CommandRunner {

  @Override
  public CommandResult run(CommandSpec spec) throws CommandFailedException {
    return run(spec, source(spec.stdin()), spec.stdin() instanceof CommandSpec.Stdin.Inherit);
  }

  /** What is written to the child's stdin: null for nothing (closed, or inherited). */
  private static InputStream source(CommandSpec.Stdin stdin) {
    return switch (stdin) {
      case CommandSpec.Stdin.Text t ->
          new ByteArrayInputStream(t.text().getBytes(StandardCharsets.UTF_8));
      case CommandSpec.Stdin.Later l ->
          new InputStream() {
            private ByteArrayInputStream text;

            private ByteArrayInputStream text() {
              if (text == null) {
                String s = l.text().exceptionally(e -> null).join();
                text =
                    new ByteArrayInputStream(
                        s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8));
              }
              return text;
            }

            @Override
            public int read() {
              return text().read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
              return text().read(b, off, len);
            }
          };
      case CommandSpec.Stdin.Closed c -> null;
      case CommandSpec.Stdin.Inherit i -> null;
    };
  }

  /**
   * Runs {@code spec} with {@code stdin} streamed to the child instead of {@link
   * CommandSpec#stdin()} (a layer into {@code tar -x}, which would not fit in a string). Writing
   * stops when the child stops reading, so the caller may have to drain the rest. When reading
   * {@code stdin} throws a runtime exception (a blob's digest did not match), the child is killed
   * before the exception reaches the caller, so it cannot go on writing behind the caller's
   * clean-up.
   */
  public CommandResult run(CommandSpec spec, InputStream stdin) throws CommandFailedException {
    return run(spec, stdin, false);
  }

  private CommandResult run(CommandSpec spec, InputStream stdin, boolean inheritStdin)
      throws CommandFailedException {
    ProcessBuilder pb = builder(spec);
    pb.redirectInput(inheritStdin ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.PIPE);
    switch (spec.io()) {
      case INHERIT ->
          pb.redirectOutput(ProcessBuilder.Redirect.INHERIT)
              .redirectError(ProcessBuilder.Redirect.INHERIT);
      case DETACHED ->
          pb.redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD);
      case CAPTURE -> {}
    }
    Process p = start(pb, spec);
    if (spec.io() == CommandSpec.Io.DETACHED) {
      closeQuietly(p.getOutputStream());
      return new CommandResult(0, "", "");
    }
    FutureTask<byte[]> out = null;
    FutureTask<byte[]> err = null;
    if (spec.io() == CommandSpec.Io.CAPTURE) {
      out = drain(p.getInputStream());
      err = drain(p.getErrorStream());
    }
    try {
      if (!inheritStdin) {
        feed(p, stdin);
      }
      if (spec.timeout().isPresent()) {
        Duration limit = spec.timeout().get();
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
          kill(p);
          throw timedOut(spec);
        }
      }
      int exit = p.waitFor();
      return new CommandResult(exit, text(out, spec), text(err, spec));
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new CommandFailedException(spec.argv(), "interrupted", e);
    }
  }

  @Override
  public CommandResult stream(CommandSpec spec, Consumer<String> lines)
      throws CommandFailedException {
    ProcessBuilder pb =
        builder(spec).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
    Process p = start(pb, spec);
    AtomicBoolean killed = new AtomicBoolean();
    spec.timeout()
        .ifPresent(
            limit ->
                Thread.ofPlatform()
                    .daemon()
                    .start(
                        () -> {
                          try {
                            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                              killed.set(true);
                              kill(p);
                            }
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        }));
    StringBuilder all = new StringBuilder();
    try {
      if (spec.stdin() instanceof CommandSpec.Stdin.Later) {
        // written when it is known, while the output is read here
        InputStream later = source(spec.stdin());
        Thread.ofPlatform().daemon().name("stdin-later").start(() -> feed(p, later));
      } else {
        feed(p, source(spec.stdin()));
      }
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          all.append(line).append('\n');
          lines.accept(line);
        }
      } catch (IOException e) {
        all.append("(output lost: ").append(e.getMessage()).append(")\n");
      }
      int exit = p.waitFor();
      if (killed.get()) {
        throw timedOut(spec);
      }
      return new CommandResult(exit, all.toString(), "");
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new CommandFailedException(spec.argv(), "interrupted", e);
    }
  }

  private static ProcessBuilder builder(CommandSpec spec) {
    ProcessBuilder pb = new ProcessBuilder(spec.argv());
    pb.environment().putAll(spec.env());
    spec.workdir().ifPresent(d -> pb.directory(d.toFile()));
    return pb;
  }

  private static Process start(ProcessBuilder pb, CommandSpec spec) throws CommandFailedException {
    try {
      return pb.start();
    } catch (IOException e) {
      throw new CommandFailedException(spec.argv(), e.getMessage(), e);
    }
  }

  /** Writes {@code source} (nothing when null) to the child's stdin, then closes it. */
  private static void feed(Process p, InputStream source) {
    try (OutputStream in = p.getOutputStream()) {
      if (source != null) {
        source.transferTo(in);
      }
    } catch (IOException e) {
      // the child closed its stdin early; its exit status tells the rest
    } catch (RuntimeException e) {
      // the source failed: the child must be gone before the caller cleans up after it
      p.destroyForcibly();
      try {
        p.waitFor();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      throw e;
    }
  }

  /**
   * Kills {@code p} and what it started: a shell's children hold its output pipe open, so killing
   * the shell alone would leave a reader waiting for them.
   */
  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static CommandFailedException timedOut(CommandSpec spec) {
    return new CommandFailedException(
        spec.argv(), "timed out after " + spec.timeout().orElseThrow().toMillis() + " ms", null);
  }

  private static void closeQuietly(OutputStream s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to close: the keep-alive reads no input
    }
  }

  private static FutureTask<byte[]> drain(InputStream s) {
    FutureTask<byte[]> task =
        new FutureTask<>(
            () -> {
              ByteArrayOutputStream b = new ByteArrayOutputStream();
              try (s) {
                s.transferTo(b);
              }
              return b.toByteArray();
            });
    Thread.ofPlatform().daemon().start(task);
    return task;
  }

  private static String text(FutureTask<byte[]> task, CommandSpec spec)
      throws InterruptedException, CommandFailedException {
    if (task == null) {
      return "";
    }
    try {
      return new String(task.get(), StandardCharsets.UTF_8);
    } catch (ExecutionException e) {
      throw new CommandFailedException(spec.argv(), "reading its output failed", e.getCause());
    }
  }
}
