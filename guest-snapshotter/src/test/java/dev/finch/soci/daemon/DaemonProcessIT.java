package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.containerd.ContainerdClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code soci-snapshotter-grpc} as a separate process, the way systemd runs it: flags and
 * environment, config file, JSON logs on stderr, the metrics endpoint, and a graceful exit 0 on
 * SIGTERM that removes the socket; containerd pulls and runs a container through the process. (A
 * process that cannot load its config exits 1 with one line.)
 */
class DaemonProcessIT {
  private Path dir;
  private Process process;

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "dproc-");
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    dev.finch.testkit.MountCleaner.deleteTree(dir);
  }

  private ProcessBuilder daemon(List<String> args, Map<String, String> env) {
    List<String> argv =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                DaemonMain.class.getName()));
    argv.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .redirectError(dir.resolve("stderr").toFile())
            .redirectOutput(dir.resolve("stdout").toFile());
    pb.environment()
        .keySet()
        .removeIf(k -> k.startsWith("SOCI_SNAPSHOTTER_") || k.equals("NOTIFY_SOCKET"));
    pb.environment().putAll(env);
    return pb;
  }

  private String stderr() throws IOException {
    return Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void servesUntilSigtermThenExitsCleanly() throws Exception {
    int port = freePort();
    Path config = dir.resolve("config.toml");
    Files.writeString(
        config, "metrics_address = \"127.0.0.1:" + port + "\"\n[fuse]\nattr_timeout = 1\n");
    Path socket = dir.resolve("run/soci.sock");
    process =
        daemon(
                List.of("--address", "unix://" + socket, "--log-level", "info"),
                Map.of(
                    "SOCI_SNAPSHOTTER_ROOT",
                    dir.resolve("root").toString(),
                    "SOCI_SNAPSHOTTER_CONFIG",
                    config.toString()))
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!stderr().contains("\"event\":\"ready\"")
        && System.nanoTime() < deadline
        && process.isAlive()) {
      Thread.sleep(100);
    }
    assertThat(stderr()).as(stderr()).contains("\"event\":\"ready\"");
    try (ContainerdClient c = ContainerdClient.connect(socket, "default")) {
      c.snapshots("soci").prepare("k", "", Map.of());
      assertThat(c.snapshots("soci").list()).hasSize(1);
    }
    HttpResponse<String> metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).contains("soci_daemon_grpc_calls_total{method=\"Prepare\"} 1");
    assertThat(dir.resolve("root/snapshotter/snapshots")).isDirectory();

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(stderr()).isZero();
    assertThat(socket).doesNotExist();
    List<String> jsonLines = stderr().lines().filter(l -> l.startsWith("{")).toList();
    assertThat(jsonLines)
        .isNotEmpty()
        .allSatisfy(
            l ->
                assertThat(l).matches("\\{\"time\":\"[^\"]+\",\"level\":\"[a-z]+\",\"msg\":.*\\}"));
    assertThat(stderr())
        .contains(
            "received SIGTERM",
            "soci-snapshotter-grpc stopped",
            "[fuse]: a mounted layer never changes, so the kernel keeps");
  }

  /**
   * A config written for the reference, {@code metrics_network = "unix"}, serves /metrics on that
   * socket.
   */
  @Test
  void referenceUnixMetricsConfigServesOnTheSocket() throws Exception {
    Path metricsSock = dir.resolve("run/metrics/metrics.sock");
    Path config = dir.resolve("config.toml");
    Files.writeString(
        config, "metrics_address = \"" + metricsSock + "\"\nmetrics_network = \"unix\"\n");
    Path socket = dir.resolve("run/soci.sock");
    process =
        daemon(
                List.of("--address", socket.toString(), "--root", dir.resolve("root").toString()),
                Map.of("SOCI_SNAPSHOTTER_CONFIG", config.toString()))
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!stderr().contains("\"event\":\"ready\"")
        && System.nanoTime() < deadline
        && process.isAlive()) {
      Thread.sleep(100);
    }
    assertThat(stderr())
        .as(stderr())
        .contains("\"event\":\"ready\"", "metrics on unix:" + metricsSock);
    try (ContainerdClient c = ContainerdClient.connect(socket, "default")) {
      c.snapshots("soci").prepare("k", "", Map.of());
    }
    String body = curlUnix(metricsSock, "/metrics", "-f");
    assertThat(body)
        .contains(
            "soci_daemon_grpc_calls_total{method=\"Prepare\"} 1",
            "soci_daemon_start_time_seconds ");
    assertThat(curlUnix(metricsSock, "/other", "-w", "%{http_code}", "-o", "/dev/null"))
        .isEqualTo("404");
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(stderr()).isZero();
    assertThat(metricsSock).as("the metrics socket is removed on exit").doesNotExist();
  }

  private static String curlUnix(Path sock, String path, String... more) throws Exception {
    List<String> argv =
        new java.util.ArrayList<>(
            List.of("curl", "-sS", "--max-time", "10", "--unix-socket", sock.toString()));
    argv.addAll(List.of(more));
    argv.add("http://localhost" + path);
    var r = dev.finch.testkit.ContainerdProcess.run(argv, java.time.Duration.ofSeconds(20));
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r.stdout();
  }

  @Test
  void containerdRunsContainersThroughTheDaemonProcess(
      @org.junit.jupiter.api.io.TempDir Path layout) throws Exception {
    dev.finch.testkit.ContainerdFixture.assumeRoot();
    Path socket = dir.resolve("soci.sock");
    Files.writeString(dir.resolve("none.toml"), "");
    process =
        daemon(
                List.of("--address", socket.toString(), "--root", dir.resolve("root").toString()),
                Map.of("SOCI_SNAPSHOTTER_CONFIG", dir.resolve("none.toml").toString()))
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(socket) && System.nanoTime() < deadline && process.isAlive()) {
      Thread.sleep(100);
    }
    var app =
        dev.finch.testkit.image.TarLayer.builder()
            .dir("app")
            .file("app/p.txt", "from a process\n")
            .build();
    var image = dev.finch.testkit.image.TestImages.busybox(layout.resolve("l"), "proc", "v1", app);
    try (var registry = dev.finch.testkit.RegistryFixture.builder().start();
        var containerd =
            dev.finch.testkit.ContainerdFixture.builder()
                .proxySnapshotter("soci", socket)
                .build()
                .start()) {
      dev.finch.testkit.image.TestImages.push(image, registry.hostPort(), "it/proc", "v1");
      String ref = registry.hostPort() + "/it/proc:v1";
      var pull = containerd.ctr("images", "pull", "--plain-http", "--snapshotter", "soci", ref);
      assertThat(pull.ok()).as("%s\n%s", pull.output(), stderr()).isTrue();
      var run = containerd.runOnSoci(ref, "proc-", "cat", "/app/p.txt");
      assertThat(run.ok()).as("%s\n%s", run.output(), stderr()).isTrue();
      assertThat(run.stdout()).contains("from a process");
    }
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(stderr()).isZero();
  }

  /**
   * A stop or a {@code kill -9} that lands while the warm-up reads its own FUSE mount: the process
   * still exits at once (a daemon thread waiting on a mount its own process serves would hang it
   * for good), the stop leaves nothing mounted, and the next start clears the mount the kill left.
   */
  @Test
  void aDaemonStoppedOrKilledDuringItsWarmUpExitsAndLeavesNoMount() throws Exception {
    dev.finch.testkit.ContainerdFixture.assumeRoot(); // FUSE
    Path root = dir.resolve("root");
    Path warmup = root.resolve("soci/warmup");
    Files.writeString(dir.resolve("none.toml"), "");
    List<String> args =
        List.of("--address", dir.resolve("soci.sock").toString(), "--root", root.toString());
    Map<String, String> env =
        Map.of("SOCI_SNAPSHOTTER_CONFIG", dir.resolve("none.toml").toString());

    process = daemon(args, env).start();
    awaitMountUnder(warmup);
    process.destroy(); // SIGTERM
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
    assertThat(process.exitValue()).as(stderr()).isZero();
    assertThat(dev.finch.testkit.MountCleaner.mountsUnder(root)).as(stderr()).isEmpty();

    process = daemon(args, env).start();
    awaitMountUnder(warmup);
    process.destroyForcibly(); // SIGKILL
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exits after SIGKILL").isTrue();

    process = daemon(args, env).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!stderr().contains("\"event\":\"warmup-done\"")
        && System.nanoTime() < deadline
        && process.isAlive()) {
      Thread.sleep(50);
    }
    assertThat(stderr()).contains("\"event\":\"warmup-done\"").contains("\"fuse\":true");
    assertThat(dev.finch.testkit.MountCleaner.mountsUnder(warmup)).as(stderr()).isEmpty();
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(stderr()).isZero();
  }

  // returns as soon as something is mounted under dir (the warm-up's reads start right after)
  private void awaitMountUnder(Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (dev.finch.testkit.MountCleaner.mountsUnder(dir).isEmpty()) {
      assertThat(process.isAlive()).as(stderr()).isTrue();
      assertThat(System.nanoTime()).as("a warm-up mount within 60 s").isLessThan(deadline);
      Thread.sleep(2);
    }
  }

  @Test
  void explicitMissingConfigIsAnError() throws Exception {
    process =
        daemon(
                List.of(
                    "--address",
                    dir.resolve("s.sock").toString(),
                    "--root",
                    dir.resolve("root").toString()),
                Map.of("SOCI_SNAPSHOTTER_CONFIG", dir.resolve("nope.toml").toString()))
            .start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(stderr().lines().filter(l -> l.startsWith("soci-snapshotter-grpc: ")).toList())
        .containsExactly(
            "soci-snapshotter-grpc: " + dir.resolve("nope.toml") + ": config file does not exist");
  }
}
