package dev.finch.soci.util.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs commands as real child processes; the only user of {@link ProcessBuilder} in the guest code. */
public final class ProcessCommandRunner implements CommandRunner {

  @Override
  public CommandResult run(CommandSpec spec) throws IOException {
    return run(spec, spec.stdin() == null ? null
        : new java.io.ByteArrayInputStream(spec.stdin().getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Runs {@code spec} with {@code stdin} streamed to the child (e.g. a layer into {@code tar -x});
   * reading stops when the child stops reading, so the caller may have to drain the rest.
   */
  public CommandResult run(CommandSpec spec, InputStream stdin) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(spec.argv());
    pb.environment().putAll(spec.env());
    if (stdin == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    Process p = pb.start();
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    if (stdin != null) {
      try (OutputStream in = p.getOutputStream()) {
        stdin.transferTo(in);
      } catch (IOException e) {
        // The child may exit without reading all of stdin; its exit status tells the story.
      } catch (RuntimeException e) {
        // The source itself failed (e.g. a blob digest mismatch): stop the child before the caller
        // sees the error, so it cannot go on writing behind the caller's cleanup.
        p.destroyForcibly();
        try {
          p.waitFor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
        throw e;
      }
    }
    try {
      if (!p.waitFor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", spec.argv()) + ": timed out after " + spec.timeout());
      }
      return new CommandResult(p.exitValue(), out.get(), err.get());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", spec.argv()) + ": interrupted", e);
    } catch (ExecutionException e) {
      throw new IOException(String.join(" ", spec.argv()) + ": reading output failed", e.getCause());
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        Thread::startVirtualThread);
  }
}
