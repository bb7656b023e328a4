package dev.finch.soci.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The daemon as its own process, the way systemd runs it ({@code DaemonMain} in a child JVM on the
 * test class path), for tests that stop it with real signals and restart it on the same root: a
 * temp directory with the root, the socket, {@code config.toml} and the log (stderr, appended
 * across restarts). {@link #close} kills a child still running and unmounts and deletes the
 * directory.
 */
final class DaemonChild implements AutoCloseable {
  final Path dir;
  final Path root;
  final Path socket;
  final Path config;
  final Path log;
  private final List<String> jvmOptions =
      new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
  private final java.util.Map<String, String> environment = new java.util.LinkedHashMap<>();
  private String logLevel = "debug";
  private Process process;

  /** A daemon whose {@code config.toml} is {@code toml}; not started yet. */
  DaemonChild(String toml) throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "sochild-");
    root = dir.resolve("root");
    socket = dir.resolve("soci.sock");
    config = Files.writeString(dir.resolve("config.toml"), toml);
    log = dir.resolve("daemon.log");
  }

  /**
   * Runs the JVM with {@code options} instead of the bare minimum and {@code env} added to its
   * environment (the soak uses the launcher's), logging at {@code level}.
   */
  DaemonChild jvm(List<String> options, java.util.Map<String, String> env, String level) {
    jvmOptions.clear();
    jvmOptions.addAll(options);
    environment.putAll(env);
    logLevel = level;
    return this;
  }

  /** Starts the daemon and waits until it serves (its {@code ready} event), at most 60 s. */
  DaemonChild start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("daemon already running");
    }
    List<String> argv =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    argv.addAll(jvmOptions);
    argv.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            DaemonMain.class.getName(),
            "--address",
            "unix://" + socket,
            "--log-level",
            logLevel));
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment()
        .keySet()
        .removeIf(k -> k.startsWith("SOCI_SNAPSHOTTER_") || k.equals("NOTIFY_SOCKET"));
    pb.environment().put("SOCI_SNAPSHOTTER_ROOT", root.toString());
    pb.environment().put("SOCI_SNAPSHOTTER_CONFIG", config.toString());
    pb.environment().putAll(environment);
    int readyBefore = count("\"event\":\"ready\"");
    process = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (count("\"event\":\"ready\"") == readyBefore) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("daemon did not become ready:\n" + log());
      }
      Thread.sleep(50);
    }
    return this;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /**
   * Sends {@code signal} ({@code TERM}, {@code INT}, {@code KILL}) and waits for the exit, at most
   * {@code limit}; answers the exit status.
   */
  int stop(String signal, Duration limit) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + signal + " " + pid() + " failed");
    }
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("daemon did not exit within " + limit + " of SIG" + signal);
    }
    return process.exitValue();
  }

  /** Everything the daemon logged, over all its runs. */
  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  private int count(String needle) throws IOException {
    String s = log();
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    dev.finch.testkit.MountCleaner.unmountUnder(dir);
    dev.finch.testkit.MountCleaner.deleteTree(dir);
  }
}
