package dev.finch.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private, real containerd for one test class: its own root, state, sockets and log under a temp
 * directory, so it never touches {@code /var/lib/containerd} or a system daemon.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ContainerdFixture CONTAINERD = ContainerdFixture.builder().build();
 * // or: try (var c = ContainerdFixture.builder().build().start()) { ... }
 * }</pre>
 *
 * <p>Start writes {@code config.toml}, launches {@code containerd -c config.toml} with its output
 * in {@link #logFile()}, and waits until {@code ctr version} answers. Close kills the tasks our
 * daemon started, stops exactly the PID we launched (TERM, then KILL), lazily unmounts whatever is
 * still mounted under the directory, and deletes it. Needs root (containerd does).
 */
public final class ContainerdFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  private static final Duration CTR_TIMEOUT = Duration.ofMinutes(2);

  private final Builder settings;
  private ContainerdConfig config;
  private Process process;
  private Thread shutdownHook;
  private boolean closed;

  private ContainerdFixture(Builder settings) {
    this.settings = settings;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Settings for a fixture; all optional. */
  public static final class Builder {
    private String namespace = "default";
    private Cri cri;
    private ContainerdDist dist = ContainerdDist.selected();
    private final Map<String, Path> proxySnapshotters = new LinkedHashMap<>();
    private String extraToml;
    private Duration startTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** Namespace used by {@link #ctr}; default {@code default}. */
    public Builder namespace(String ns) {
      this.namespace = ns;
      return this;
    }

    /**
     * Enables the CRI plugin(s) with these settings, rendered in the dialect of the containerd's
     * config version.
     */
    public Builder enableCri(Cri settings) {
      this.cri = settings;
      return this;
    }

    /** The containerd build to run; default {@link ContainerdDist#selected()}. */
    public Builder dist(ContainerdDist d) {
      this.dist = d;
      return this;
    }

    /** Registers a proxy snapshotter plugin (e.g. {@code soci}) served on {@code socket}. */
    public Builder proxySnapshotter(String name, Path socket) {
      proxySnapshotters.put(name, socket);
      return this;
    }

    /** TOML appended verbatim to the generated config. */
    public Builder extraToml(String toml) {
      this.extraToml = toml;
      return this;
    }

    public Builder startTimeout(Duration d) {
      this.startTimeout = d;
      return this;
    }

    public ContainerdFixture build() {
      return new ContainerdFixture(this);
    }
  }

  /**
   * CRI settings: the snapshotter CRI pulls with (snapshot annotations on, so a proxy snapshotter
   * sees the image and layer labels) and the registries it reaches over plain http ({@code
   * host:port}).
   */
  public record Cri(String snapshotter, java.util.List<String> plainHttpRegistries) {
    public Cri {
      plainHttpRegistries = java.util.List.copyOf(plainHttpRegistries);
    }
  }

  /** The containerd build this fixture runs. */
  public ContainerdDist dist() {
    return settings.dist;
  }

  /** Starts the daemon (once); returns this for try-with-resources. */
  public synchronized ContainerdFixture start() {
    if (process != null) {
      return this;
    }
    try {
      Path dir = Files.createTempDirectory("ctrd-");
      ContainerdDist d = settings.dist.requireInstalled();
      config =
          new ContainerdConfig(
              dir, d.configVersion(), settings.cri, settings.proxySnapshotters, settings.extraToml);
      Files.writeString(dir.resolve("config.toml"), config.render());
      for (Map.Entry<Path, String> f : config.hostFiles().entrySet()) {
        Files.createDirectories(f.getKey().getParent());
        Files.writeString(f.getKey(), f.getValue());
      }
      ProcessBuilder pb =
          new ProcessBuilder(d.containerd().toString(), "-c", dir.resolve("config.toml").toString())
              .redirectErrorStream(true)
              .redirectOutput(logFile().toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      // containerd finds its runc shim (containerd-shim-runc-v2) on PATH: the build's own first.
      pb.environment()
          .put(
              "PATH",
              d.binDir()
                  + ":"
                  + pb.environment().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
      process = pb.start();
      // A JVM that exits without afterAll (e.g. killed by a build timeout) still stops our daemon.
      shutdownHook = new Thread(this::close, "containerd-fixture-stop");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      awaitReady();
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start containerd", e);
    } catch (RuntimeException e) {
      String log = logTail();
      close();
      throw new IllegalStateException(
          e.getMessage() + "\n--- containerd log (tail) ---\n" + log, e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + settings.startTimeout.toNanos();
    ContainerdProcess.Result last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "containerd exited with " + process.exitValue() + " during start");
      }
      if (Files.exists(socket())) {
        last =
            ContainerdProcess.run(
                List.of(
                    settings.dist.ctr().toString(), "--address", socket().toString(), "version"),
                Duration.ofSeconds(10));
        if (last.ok()) {
          return;
        }
      }
      sleep(100);
    }
    throw new IllegalStateException(
        "containerd did not answer within "
            + settings.startTimeout
            + (last == null ? " (no socket " + socket() + ")" : ": " + last.output().strip()));
  }

  /** The gRPC socket ({@code <dir>/containerd.sock}). */
  public Path socket() {
    return requireStarted().socket();
  }

  /** containerd's root ({@code <dir>/root}): content store, snapshots, metadata. */
  public Path root() {
    return requireStarted().root();
  }

  /** containerd's state directory ({@code <dir>/state}). */
  public Path state() {
    return requireStarted().state();
  }

  /** The temp directory holding everything. */
  public Path dir() {
    return requireStarted().dir();
  }

  public Path logFile() {
    return requireStarted().dir().resolve("containerd.log");
  }

  public String namespace() {
    return settings.namespace;
  }

  /** PID of the containerd process this fixture started. */
  public long pid() {
    if (process == null) {
      throw new IllegalStateException("containerd fixture not started");
    }
    return process.pid();
  }

  /** Runs {@code ctr --address <socket> -n <namespace> args...}. */
  /**
   * Waits until containerd reaches the proxy snapshotter {@code name} again: after the snapshotter
   * process restarts, containerd's gRPC connection to it stays in its reconnect back-off for a
   * while and calls fail with "connection refused". Fails (AssertionError) if it does not within
   * {@code limit}.
   */
  public void awaitSnapshotter(String name, java.time.Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    ContainerdProcess.Result r = ctr("snapshots", "--snapshotter", name, "ls");
    while (!r.ok()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "containerd does not reach snapshotter "
                + name
                + " within "
                + limit
                + ": "
                + r.output());
      }
      Thread.sleep(200);
      r = ctr("snapshots", "--snapshotter", name, "ls");
    }
  }

  public ContainerdProcess.Result ctr(String... args) {
    return ctrIn(settings.namespace, args);
  }

  /**
   * {@code ctr run --rm --snapshotter soci IMAGE NAME CMD...}: a container on the soci snapshotter,
   * named {@code namePrefix} and this JVM's pid, so that two test runs never share a name.
   */
  public ContainerdProcess.Result runOnSoci(String image, String namePrefix, String... cmd) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--rm",
                "--snapshotter",
                "soci",
                image,
                namePrefix + ProcessHandle.current().pid()));
    args.addAll(List.of(cmd));
    return ctr(args.toArray(String[]::new));
  }

  /** Runs ctr in another namespace. */
  public ContainerdProcess.Result ctrIn(String ns, String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of(settings.dist.ctr().toString(), "--address", socket().toString(), "-n", ns));
    argv.addAll(List.of(args));
    return ContainerdProcess.run(argv, CTR_TIMEOUT);
  }

  /**
   * {@code ctr images import [flags] ARCHIVE}, checked. ctr 2.x imports through the transfer
   * service by default, which drops names that are not full references (test images use short ones
   * such as {@code errors}); there {@code --local} gives the 1.x behaviour.
   */
  public ContainerdProcess.Result importArchive(Path archive, String... flags) {
    List<String> args = new ArrayList<>(List.of("images", "import"));
    if (settings.dist.major() >= 2) {
      args.add("--local");
    }
    args.addAll(List.of(flags));
    args.add(archive.toString());
    return ctr(args.toArray(String[]::new)).check();
  }

  /** The last lines of containerd's log, for failure messages. */
  public String logTail() {
    try {
      if (config == null || !Files.exists(logFile())) {
        return "";
      }
      List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(cannot read log: " + e.getMessage() + ")";
    }
  }

  /**
   * Starts the daemon; skips the test class when not root, except with {@code CI=true}, where it
   * must run.
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    assumeRoot();
    start();
  }

  /**
   * Skips the current test unless running as root. Never skips when the environment variable {@code
   * CI} is {@code true}: there, root-only tests must run (and fail loudly if they cannot).
   */
  public static void assumeRoot() {
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(isRoot(), "needs root (containerd, mount); set CI=true to force");
    }
  }

  /** True when this JVM runs with uid 0. */
  public static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /**
   * Stops the daemon we started, unmounts leftovers under our directory and deletes it. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down
      }
    }
    if (process != null && process.isAlive()) {
      killTasks();
      stop(process);
    }
    if (config != null) {
      MountCleaner.unmountUnder(config.dir());
      MountCleaner.deleteTree(config.dir());
    }
  }

  private void killTasks() {
    ContainerdProcess.Result nss = ctrIn("default", "namespaces", "ls", "-q");
    if (!nss.ok()) {
      return;
    }
    for (String ns : nss.stdout().strip().split("\\s+")) {
      if (ns.isEmpty()) {
        continue;
      }
      ContainerdProcess.Result tasks = ctrIn(ns, "tasks", "ls", "-q");
      for (String id : tasks.ok() ? tasks.stdout().strip().split("\\s+") : new String[0]) {
        if (!id.isEmpty()) {
          ctrIn(ns, "tasks", "kill", "-s", "SIGKILL", id);
          sleep(200);
          ctrIn(ns, "tasks", "delete", "-f", id);
        }
      }
    }
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private ContainerdConfig requireStarted() {
    if (config == null) {
      throw new IllegalStateException("containerd fixture not started");
    }
    return config;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
