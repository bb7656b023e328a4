package dev.finch.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A daemon a test started (registry, containerd, ...): its output goes to a log file, its PID is
 * recorded, and {@link #stop} ends exactly that process (SIGTERM, then SIGKILL after a grace
 * period). A JVM shutdown hook stops it too, so a crashed test run leaves nothing behind.
 */
public final class ManagedProcess implements AutoCloseable {
  private static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Thread shutdownHook;

  private ManagedProcess(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.shutdownHook =
        new Thread(() -> process.destroyForcibly(), "stop-" + name + "-" + process.pid());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts {@code argv} in {@code workDir} with {@code env} added to this JVM's environment; stdout
   * and stderr are appended to {@code logFile}.
   */
  public static ManagedProcess start(
      String name, List<String> argv, Map<String, String> env, Path workDir, Path logFile)
      throws IOException {
    Files.createDirectories(logFile.toAbsolutePath().getParent());
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().putAll(env);
    return new ManagedProcess(name, pb.start(), logFile);
  }

  /**
   * Runs a short tool to completion and answers its stdout; fails with its output on non-zero exit.
   */
  public static String run(List<String> argv, Duration timeout) throws IOException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out;
    try {
      out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", argv) + ": timed out");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", argv) + ": exit status " + p.exitValue() + ": " + text.strip());
    }
    return text;
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public Path logFile() {
    return logFile;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The last {@code n} lines of the log, for failure messages. */
  public String logTail(int n) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  /** SIGTERM, wait up to {@code grace}, then SIGKILL; waits until the process is gone. */
  public void stop(Duration grace) {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook runs anyway.
      }
    }
  }

  @Override
  public void close() {
    stop(DEFAULT_GRACE);
  }

  @Override
  public String toString() {
    return name + "[pid " + pid() + "]";
  }
}
