package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.ContainerdException;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.spi.PluginConfig;
import dev.finch.soci.spi.RemotePreparerFactory;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.prometheus.metrics.core.metrics.Gauge;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Daemon start-up and shutdown without containerd: socket, sd_notify, metrics, restore failures.
 */
class WiringTest {
  private Path dir;
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  private JsonLog log;

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "wiring-");
    log = new JsonLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), LogLevel.DEBUG);
  }

  @AfterEach
  void tearDown() {
    dev.finch.testkit.MountCleaner.deleteTree(dir);
  }

  private Wiring start(RemotePreparerFactory f, DaemonConfig c, String notify) throws IOException {
    return Wiring.start(
        new Wiring.Settings(dir.resolve("root"), dir.resolve("run/s.sock"), c, f, log, notify));
  }

  private String logText() {
    return logBytes.toString(StandardCharsets.UTF_8);
  }

  /**
   * Runs a daemon in which layer sha256:target is prepared as snapshot "extract" through {@code
   * remote} (the snapshotter then answers ALREADY_EXISTS, as it does to containerd), and stops it:
   * the next daemon on the same root has that remote snapshot to restore.
   */
  private void prepareRemoteSnapshot(FakeRemote remote) throws Exception {
    try (Wiring w = start(context -> remote, DaemonConfig.defaults(), null);
        ContainerdClient client = ContainerdClient.connect(w.socket(), "ns")) {
      try {
        client
            .snapshots("soci")
            .prepare("extract", "", Map.of("containerd.io/snapshot.ref", "sha256:target"));
      } catch (ContainerdException e) {
        assertThat(e.kind()).isEqualTo(ContainerdException.Kind.ALREADY_EXISTS);
      }
    }
  }

  @Test
  void socketIsReplacedAndRestrictedAndServes() throws Exception {
    Files.createDirectories(dir.resolve("run"));
    Files.writeString(dir.resolve("run/s.sock"), "stale");
    try (Wiring w = start(RemotePreparerFactory.none(), DaemonConfig.defaults(), null)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(w.socket())))
          .isEqualTo("rw-rw----");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("root"))))
          .isEqualTo("rwx------");
      try (ContainerdClient c = ContainerdClient.connect(w.socket(), "default")) {
        assertThat(c.snapshots("soci").list()).isEmpty();
      }
    }
    assertThat(dir.resolve("run/s.sock")).doesNotExist();
    assertThat(logText()).contains("\"event\":\"ready\"", "soci-snapshotter-grpc stopped");
  }

  @Test
  void notifiesSystemdReadyAndStopping() throws Exception {
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    Path notify = dir.resolve("notify");
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(EpollDomainDatagramChannel.class)
            .handler(
                new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                    ByteBuf b = p.content();
                    got.add(b.toString(StandardCharsets.UTF_8));
                  }
                })
            .bind(new DomainSocketAddress(notify.toString()))
            .sync()
            .channel();
    try {
      Wiring w = start(RemotePreparerFactory.none(), DaemonConfig.defaults(), notify.toString());
      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("READY=1");
      w.close();
      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("STOPPING=1");
    } finally {
      ch.close().sync();
      group.shutdownGracefully();
    }
  }

  /** A preparer that claims remote layers without mounting anything. */
  static final class FakeRemote implements RemotePreparer, AutoCloseable {
    final AtomicBoolean fail = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();
    final java.util.concurrent.atomic.AtomicInteger prepares =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Outcome tryPrepare(String key, Path fsDir, Map<String, String> labels)
        throws IOException {
      prepares.incrementAndGet();
      if (fail.get()) {
        throw new IOException("registry unreachable");
      }
      return new Remote();
    }

    @Override
    public void unmount(Path fsDir) {}

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void metricsEndpointServesDaemonAndPreparerMetrics() throws Exception {
    FakeRemote remote = new FakeRemote();
    DaemonConfig c = DaemonConfig.defaults();
    c = c.withMetrics(DaemonConfig.Metrics.tcp("127.0.0.1:0"));
    // a plug-in's metrics are what it registers in the daemon's registry
    RemotePreparerFactory withMetric =
        context -> {
          Gauge.builder()
              .name("soci_fs_test_metric")
              .help("a plug-in's metric")
              .register(context.metrics())
              .set(42);
          return remote;
        };
    try (Wiring w = start(withMetric, c, null)) {
      try (ContainerdClient client = ContainerdClient.connect(w.socket(), "default")) {
        client.snapshots("soci").prepare("k", "", Map.of());
      }
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + w.metricsPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
      assertThat(r.body())
          .contains("soci_daemon_grpc_calls_total{method=\"Prepare\"} 1")
          .contains("soci_daemon_snapshots{kind=\"active\"} 1")
          .contains("soci_daemon_start_time_seconds ")
          .contains("soci_fs_test_metric 42.0")
          .contains("soci_daemon_remote_restore_total{result=\"ok\"} 0.0")
          .contains("soci_daemon_remote_restore_total{result=\"failed\"} 0.0")
          .contains("# TYPE soci_daemon_grpc_calls_total counter")
          .contains("# TYPE soci_daemon_snapshots gauge");
    }
    assertThat(remote.closed).isTrue();
  }

  @Test
  void aRemoteSnapshotThatCannotBeRestoredDoesNotStopStartUp() throws Exception {
    FakeRemote remote = new FakeRemote();
    prepareRemoteSnapshot(remote);
    remote.fail.set(true);
    try (Wiring w = start(context -> remote, DaemonConfig.defaults(), null);
        ContainerdClient client = ContainerdClient.connect(w.socket(), "ns")) {
      assertThat(client.snapshots("soci").stat("sha256:target").labels())
          .containsEntry("containerd.io/snapshot/remote", "remote snapshot");
    }
    assertThat(logText())
        .contains(
            "\"level\":\"error\"",
            "\"event\":\"remote-snapshot-restore-failed\"",
            "registry unreachable");
  }

  @Test
  void aFailedRestoreIsCountedInTheMetrics() throws Exception {
    FakeRemote remote = new FakeRemote();
    prepareRemoteSnapshot(remote);
    remote.fail.set(true);
    DaemonConfig c = DaemonConfig.defaults().withMetrics(DaemonConfig.Metrics.tcp("127.0.0.1:0"));
    try (Wiring w = start(context -> remote, c, null)) {
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + w.metricsPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(body)
          .contains("soci_daemon_remote_restore_total{result=\"failed\"} 1.0")
          .contains("soci_daemon_remote_restore_total{result=\"ok\"} 0.0")
          .contains("soci_daemon_snapshots{kind=\"committed\"} 1.0");
    }
  }

  /** The plug-in sees the keys it honours with the values of the daemon's config. */
  @Test
  void pluginConfigCarriesTheLazyLoadingKeys() {
    DaemonConfig d = DaemonConfig.defaults();
    DaemonConfig c =
        new DaemonConfig(
            d.metrics(),
            d.mountTimeoutSec(),
            new DaemonConfig.PullModes(false, true),
            d.http(),
            d.blob(),
            new DaemonConfig.BackgroundFetch(true, 7, 8, 9),
            d.snapshotter(),
            d.contentStore(),
            new DaemonConfig.Resolver(
                Map.of(
                    "reg:5000",
                    new DaemonConfig.Host(
                        List.of(
                            new DaemonConfig.Mirror("reg:5000", true, 0),
                            new DaemonConfig.Mirror("mirror:443", false, 5))))),
            new DaemonConfig.Cache(12345, false),
            new DaemonConfig.Prefetch(false));
    PluginConfig p = Wiring.pluginConfig(c);
    assertThat(p.pullModes()).isEqualTo(new PluginConfig.PullModes(false, true));
    assertThat(p.backgroundFetch()).isEqualTo(new PluginConfig.BackgroundFetch(true, 7, 8, 9));
    assertThat(p.mirrors())
        .isEqualTo(
            Map.of(
                "reg:5000",
                List.of(
                    new PluginConfig.Mirror("reg:5000", true),
                    new PluginConfig.Mirror("mirror:443", false))));
    assertThat(p.spanCacheMaxBytes()).isEqualTo(12345);
    assertThat(p.nativeHandover()).isFalse();
    assertThat(p.prefetch()).isFalse();

    PluginConfig defaults = Wiring.pluginConfig(DaemonConfig.defaults());
    assertThat(defaults.pullModes()).isEqualTo(new PluginConfig.PullModes(true, true));
    assertThat(defaults.spanCacheMaxBytes()).isEqualTo(DaemonConfig.Cache.DEFAULT_MAX_BYTES);
    assertThat(defaults.prefetch()).isTrue();
    assertThat(defaults.nativeHandover()).isTrue();
    // the reference's registry bounds by default, so a stalled read ends with EIO within 300 s
    assertThat(defaults.registry()).isEqualTo(PluginConfig.Registry.DEFAULT);
    assertThat(defaults.registry().timeouts().blobRead())
        .isEqualTo(java.time.Duration.ofSeconds(300));
  }

  @Test
  void httpAndBlobKeysBecomeTheRegistryBounds() throws Exception {
    DaemonConfig c =
        DaemonConfigLoader.parse(
            "c.toml",
            """
            [http]
            MaxRetries = 2
            MinWaitMsec = 5
            MaxWaitMsec = 50
            DialTimeoutMsec = 1500
            ResponseHeaderTimeoutMsec = 2500
            RequestTimeoutMsec = 60000
            NoProgressTimeoutMsec = 4000
            [blob]
            fetching_timeout_sec = 10
            max_retries = 4
            """,
            w -> {});
    PluginConfig.Registry r = Wiring.pluginConfig(c).registry();
    java.time.Duration ms = java.time.Duration.ofMillis(1);
    assertThat(r.timeouts())
        .isEqualTo(
            new dev.finch.soci.registry.Timeouts(
                ms.multipliedBy(1500),
                ms.multipliedBy(2500),
                ms.multipliedBy(4000),
                ms.multipliedBy(60000),
                java.time.Duration.ofSeconds(10)));
    assertThat(r.retry())
        .isEqualTo(
            new dev.finch.soci.registry.RetryPolicy(2, ms.multipliedBy(5), ms.multipliedBy(50)));
    // [blob] takes what it does not set from [http]
    assertThat(r.blobRetry())
        .isEqualTo(
            new dev.finch.soci.registry.RetryPolicy(4, ms.multipliedBy(5), ms.multipliedBy(50)));
  }

  @Test
  void daemonMainPrintsConfigAndRejectsBadFlags() {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    assertThat(
            DaemonMain.run(
                new java.io.PrintWriter(out), new java.io.PrintWriter(err), "config", "default"))
        .isZero();
    assertThat(out.toString()).isEqualTo(DaemonConfigWriter.render(DaemonConfig.defaults()));

    for (List<String> args :
        List.of(
            List.of("--log-level", "loud"),
            List.of("--address", "fd://"),
            List.of("--config", dir.resolve("absent.toml").toString(), "config", "dump"))) {
      java.io.StringWriter e = new java.io.StringWriter();
      int rc =
          DaemonMain.run(
              new java.io.PrintWriter(new java.io.StringWriter()),
              new java.io.PrintWriter(e),
              args.toArray(String[]::new));
      assertThat(rc).as(args.toString()).isEqualTo(1);
      assertThat(e.toString()).startsWith("soci-snapshotter-grpc: ").hasLineCount(1);
    }
  }

  @Test
  void theSnapshotPathIsWarmedOnAThrowawayStoreThatIsThenRemoved() throws Exception {
    FakeRemote remote = new FakeRemote();
    try (Wiring w = start(context -> remote, DaemonConfig.defaults(), null);
        ContainerdClient c = ContainerdClient.connect(w.socket(), "default")) {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!logText().contains("\"snapshot-warmup-done\"") && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      String line =
          logText()
              .lines()
              .filter(l -> l.contains("\"snapshot-warmup-done\""))
              .findFirst()
              .orElseThrow();
      assertThat(line).contains("\"level\":\"info\"").doesNotContain("\"error\"");
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\"cycles\":(\\d+)").matcher(line);
      assertThat(m.find()).as(line).isTrue();
      assertThat(Integer.parseInt(m.group(1))).isPositive();
      assertThat(dir.resolve("root/warmup-snapshots")).doesNotExist();
      // the daemon's own store and preparer saw none of it
      assertThat(c.snapshots("soci").list()).isEmpty();
      assertThat(remote.prepares).hasValue(0);
    }
  }

  @Test
  void stoppingTheDaemonStopsItsWarmUp() throws Exception {
    long t0 = System.nanoTime();
    try (Wiring w = start(context -> new FakeRemote(), DaemonConfig.defaults(), null)) {
      assertThat(w.socket()).exists();
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("soci-warmup-snapshots") && t.isAlive());
    // cut short by the stop, which is no failure
    assertThat(logText().lines().filter(l -> l.contains("\"snapshot-warmup-done\"")))
        .allMatch(l -> !l.contains("\"error\"") && l.contains("\"level\":\"info\""));
    assertThat(dir.resolve("root/warmup-snapshots")).doesNotExist();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
        .as("the stop does not wait for %d cycles", SnapshotPathWarmup.CYCLES)
        .isLessThan(SnapshotPathWarmup.BUDGET_NANOS / 1_000_000);
  }
}
