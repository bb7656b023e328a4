package dev.finch.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs short helper commands (ctr, mount, umount, skopeo) for the containerd fixture and the image
 * helpers, capturing both output streams; a command that outlives its timeout is killed.
 */
public final class ContainerdProcess {
  private ContainerdProcess() {}

  /** Exit code and captured output of one command. */
  public record Result(List<String> argv, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** stdout followed by stderr. */
    public String output() {
      return stdout + stderr;
    }

    /** Throws with argv, exit code and stderr unless the command succeeded. */
    public Result check() {
      if (!ok()) {
        throw new IllegalStateException(
            String.join(" ", argv)
                + " exited "
                + exitCode
                + ": "
                + stderr.strip()
                + " "
                + stdout.strip());
      }
      return this;
    }
  }

  /** Runs {@code argv} with no stdin and waits at most {@code timeout}. */
  public static Result run(List<String> argv, Duration timeout) {
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", argv), e);
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(
            List.copyOf(argv),
            -1,
            out.getNow(""),
            "timed out after " + timeout + "\n" + err.getNow(""));
      }
      return new Result(List.copyOf(argv), p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", argv), e);
    }
  }

  private static CompletableFuture<String> drain(InputStream in) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                f.complete("");
              }
            });
    return f;
  }
}
