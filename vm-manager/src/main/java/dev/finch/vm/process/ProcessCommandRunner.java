package dev.finch.vm.process;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

/**
 * Runs commands with {@link ProcessBuilder}; the only class in finch that does. Captured output is
 * drained on daemon threads (cheaper to start than the virtual-thread scheduler, which matters for CLI startup) so a chatty child cannot block on a full pipe.
 */
public final class ProcessCommandRunner implements CommandRunner {

  @Override
  public CommandResult run(CommandSpec spec) throws CommandFailedException {
    ProcessBuilder pb = new ProcessBuilder(spec.argv());
    pb.environment().putAll(spec.env());
    spec.workdir().ifPresent(d -> pb.directory(d.toFile()));
    switch (spec.stdin()) {
      case CommandSpec.Stdin.Inherit i -> pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
      case CommandSpec.Stdin.Closed c -> pb.redirectInput(ProcessBuilder.Redirect.PIPE);
      case CommandSpec.Stdin.Text t -> pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    }
    if (spec.io() == CommandSpec.Io.INHERIT) {
      pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
    } else if (spec.io() == CommandSpec.Io.DETACHED) {
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new CommandFailedException(spec.argv(), e.getMessage(), e);
    }
    if (spec.io() == CommandSpec.Io.DETACHED) {
      try {
        p.getOutputStream().close();
      } catch (IOException e) {
        // nothing to close: the keep-alive reads no input
      }
      return new CommandResult(0, "", "");
    }
    try {
      FutureTask<byte[]> out = null;
      FutureTask<byte[]> err = null;
      if (spec.io() == CommandSpec.Io.CAPTURE) {
        out = drain(p.getInputStream());
        err = drain(p.getErrorStream());
      }
      if (!(spec.stdin() instanceof CommandSpec.Stdin.Inherit)) {
        try (OutputStream in = p.getOutputStream()) {
          if (spec.stdin() instanceof CommandSpec.Stdin.Text t) {
            in.write(t.text().getBytes(StandardCharsets.UTF_8));
          }
        } catch (IOException e) {
          // the child closed its stdin early; its exit status tells the rest
        }
      }
      int exit = p.waitFor();
      return new CommandResult(exit, text(out), text(err));
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new CommandFailedException(spec.argv(), "interrupted", e);
    }
  }

  @Override
  public CommandResult stream(CommandSpec spec, Consumer<String> lines)
      throws CommandFailedException {
    ProcessBuilder pb = new ProcessBuilder(spec.argv()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.environment().putAll(spec.env());
    spec.workdir().ifPresent(d -> pb.directory(d.toFile()));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new CommandFailedException(spec.argv(), e.getMessage(), e);
    }
    StringBuilder all = new StringBuilder();
    try {
      try (OutputStream in = p.getOutputStream()) {
        if (spec.stdin() instanceof CommandSpec.Stdin.Text t) {
          in.write(t.text().getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        // the child closed its stdin early; its exit status tells the rest
      }
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          all.append(line).append('\n');
          lines.accept(line);
        }
      } catch (IOException e) {
        all.append("(output lost: ").append(e.getMessage()).append(")\n");
      }
      return new CommandResult(p.waitFor(), all.toString(), "");
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new CommandFailedException(spec.argv(), "interrupted", e);
    }
  }

  private static FutureTask<byte[]> drain(InputStream s) {
    FutureTask<byte[]> task = new FutureTask<>(() -> {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      try (s) {
        s.transferTo(b);
      }
      return b.toByteArray();
    });
    Thread.ofPlatform().daemon().start(task);
    return task;
  }

  private static String text(FutureTask<byte[]> task) throws InterruptedException {
    if (task == null) {
      return "";
    }
    try {
      return new String(task.get(), StandardCharsets.UTF_8);
    } catch (ExecutionException e) {
      return "";
    }
  }
}
