package dev.finch.soci.daemon;

import dev.finch.soci.registry.RetryPolicy;
import dev.finch.soci.registry.Timeouts;
import dev.finch.soci.service.NamespaceInterceptor;
import dev.finch.soci.service.SnapshotsService;
import dev.finch.soci.snapshot.Kind;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.snapshot.overlay.OverlaySnapshotter;
import dev.finch.soci.snapshot.overlay.RestorableSnapshot;
import dev.finch.soci.spi.PluginConfig;
import dev.finch.soci.spi.PluginContext;
import dev.finch.soci.spi.RemotePreparerFactory;
import dev.finch.soci.sys.Umount;
import dev.finch.soci.util.FileTrees;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The daemon's composition root: builds the remote preparer (through the {@link
 * RemotePreparerFactory}, handing it the root, the log, the metrics registry and its view of the
 * configuration), the overlay snapshotter at {@code <root>/snapshotter}, the Snapshots gRPC service
 * on the unix socket and the optional metrics endpoint, and owns their lifecycle.
 *
 * <p>Start order follows soci's {@code restoreRemoteSnapshot}: stale mounts under {@code
 * snapshots/} (left by a killed daemon) are force-unmounted, then every remote snapshot is
 * re-mounted through the preparer (a failure is logged and counted, never fatal), and only then
 * does the socket accept calls and systemd hear {@code READY=1}. {@link #close()} is the graceful
 * stop (SIGINT/SIGTERM): stop accepting, unmount remote layers, close the store. {@link #crash()}
 * imitates {@code kill -9} for tests: it leaves every mount in place.
 */
public final class Wiring implements AutoCloseable {
  /**
   * What to start.
   *
   * @param root daemon root ({@code --root})
   * @param socket the gRPC unix socket ({@code --address})
   * @param notifySocket {@code $NOTIFY_SOCKET}, or null
   * @param extensions what else to serve once the gRPC socket is up (see {@link DaemonExtension})
   */
  public record Settings(
      Path root,
      Path socket,
      DaemonConfig config,
      RemotePreparerFactory factory,
      JsonLog log,
      String notifySocket,
      List<DaemonExtension> extensions) {
    public Settings {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(socket, "socket");
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(factory, "factory");
      Objects.requireNonNull(log, "log");
      extensions = List.copyOf(extensions);
    }

    /** Without extensions. */
    public Settings(
        Path root,
        Path socket,
        DaemonConfig config,
        RemotePreparerFactory factory,
        JsonLog log,
        String notifySocket) {
      this(root, socket, config, factory, log, notifySocket, List.of());
    }
  }

  private final Settings settings;
  private final RemotePreparer preparer;
  private final OverlaySnapshotter snapshotter;
  private final PrometheusRegistry registry;
  private final DaemonMetrics metrics;
  private MetricsServer metricsServer;
  private UnixSocketServer server;
  private Thread warmup;
  private final List<AutoCloseable> extensions = new ArrayList<>();
  private boolean closed;

  private Wiring(
      Settings settings,
      PrometheusRegistry registry,
      RemotePreparer preparer,
      OverlaySnapshotter snapshotter) {
    this.settings = settings;
    this.registry = registry;
    this.preparer = preparer;
    this.snapshotter = snapshotter;
    this.metrics = new DaemonMetrics(registry, this::countSnapshots);
  }

  /** Builds and starts everything; on failure releases what was already started. */
  public static Wiring start(Settings s) throws IOException {
    if (!Files.isDirectory(s.root())) {
      Files.createDirectories(s.root());
      Files.setPosixFilePermissions(s.root(), PosixFilePermissions.fromString("rwx------"));
    }
    // the daemon's own registry (not the library's global one): one per daemon, also in tests
    PrometheusRegistry registry = new PrometheusRegistry();
    RemotePreparer preparer =
        Objects.requireNonNull(
            s.factory()
                .create(new PluginContext(pluginConfig(s.config()), s.root(), s.log(), registry)),
            "RemotePreparerFactory returned null");
    OverlaySnapshotter snapshotter;
    try {
      snapshotter =
          OverlaySnapshotter.open(
              OverlaySnapshotter.Config.of(s.root().resolve("snapshotter")).withRemote(preparer));
    } catch (IOException | RuntimeException e) {
      closePreparer(preparer, s.log());
      throw e;
    }
    Wiring w = new Wiring(s, registry, preparer, snapshotter);
    try {
      w.recover();
      w.serve();
    } catch (IOException | RuntimeException e) {
      w.crash();
      closePreparer(preparer, s.log());
      throw e;
    }
    return w;
  }

  /** The keys of {@code config} the lazy-loading plug-in honours. */
  static PluginConfig pluginConfig(DaemonConfig config) {
    Map<String, List<PluginConfig.Mirror>> mirrors = new TreeMap<>();
    config
        .resolver()
        .hosts()
        .forEach(
            (host, h) ->
                mirrors.put(
                    host,
                    h.mirrors().stream()
                        .map(m -> new PluginConfig.Mirror(m.host(), m.insecure()))
                        .toList()));
    DaemonConfig.BackgroundFetch bg = config.backgroundFetch();
    return new PluginConfig(
        new PluginConfig.PullModes(
            config.pullModes().sociV1Enable(), config.pullModes().sociV2Enable()),
        new PluginConfig.BackgroundFetch(
            bg.disable(), bg.fetchPeriodMsec(), bg.silencePeriodMsec(), bg.maxQueueSize()),
        mirrors,
        config.cache().maxBytes(),
        config.cache().nativeHandover(),
        config.prefetch().enable(),
        config.mountTimeoutSec(),
        registry(config));
  }

  /** {@code [http]} and {@code [blob]} as the registry client takes them. */
  static PluginConfig.Registry registry(DaemonConfig config) {
    DaemonConfig.Http h = config.http();
    DaemonConfig.Blob b = config.blob();
    return new PluginConfig.Registry(
        new Timeouts(
            Duration.ofMillis(h.dialTimeoutMsec()),
            Duration.ofMillis(h.responseHeaderTimeoutMsec()),
            Duration.ofMillis(h.noProgressTimeoutMsec()),
            Duration.ofMillis(h.requestTimeoutMsec()),
            Duration.ofSeconds(b.fetchingTimeoutSec())),
        new RetryPolicy(
            Math.toIntExact(h.maxRetries()),
            Duration.ofMillis(h.minWaitMsec()),
            Duration.ofMillis(h.maxWaitMsec())),
        new RetryPolicy(
            Math.toIntExact(b.maxRetries()),
            Duration.ofMillis(b.minWaitMsec()),
            Duration.ofMillis(b.maxWaitMsec())));
  }

  private void recover() throws IOException {
    List<Path> stale = new ArrayList<>(snapshotter.mountsUnderSnapshots());
    stale.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path mp : stale) {
      try {
        Umount.force(mp);
        settings
            .log()
            .write(
                LogLevel.INFO,
                "unmounted stale mount " + mp,
                "stale-mount-removed",
                Map.of("mountpoint", mp.toString()));
      } catch (IOException e) {
        settings.log().warn("cannot unmount stale mount " + mp, e);
      }
    }
    for (RestorableSnapshot rs : snapshotter.remoteSnapshots()) {
      restore(rs);
    }
  }

  private void restore(RestorableSnapshot rs) {
    String failure;
    try {
      RemotePreparer.Outcome o =
          preparer.tryPrepare(rs.info().name(), rs.fsDir(), rs.info().labels());
      if (o instanceof RemotePreparer.Remote) {
        metrics.restored();
        settings
            .log()
            .write(
                LogLevel.INFO,
                "restored remote snapshot " + rs.info().name(),
                "remote-snapshot-restored",
                Map.of("snapshot", rs.info().name(), "namespace", rs.namespace()));
        return;
      }
      failure = "preparer answered " + o;
    } catch (IOException | RuntimeException e) {
      failure = String.valueOf(e.getMessage());
    }
    metrics.restoreFailed();
    LogLevel level =
        settings.config().snapshotter().allowInvalidMountsOnRestart()
            ? LogLevel.WARN
            : LogLevel.ERROR;
    settings
        .log()
        .write(
            level,
            "cannot restore remote snapshot "
                + rs.info().name()
                + "; containers using it will fail until it is re-pulled",
            "remote-snapshot-restore-failed",
            Map.of("snapshot", rs.info().name(), "error", failure));
  }

  private void serve() throws IOException {
    DaemonConfig.Metrics m = settings.config().metrics();
    if (m.enabled()) {
      metricsServer = MetricsServer.start(m, registry);
      settings.log().info("metrics on " + m.url());
    }
    server =
        UnixSocketServer.start(
            settings.socket(),
            List.of(new SnapshotsService(snapshotter)),
            List.of(metrics, new NamespaceInterceptor()));
    for (DaemonExtension x : settings.extensions()) {
      try {
        extensions.add(x.start(settings.socket(), settings.log(), preparer));
      } catch (IOException | RuntimeException e) {
        settings
            .log()
            .warn("cannot start " + x.getClass().getSimpleName() + "; going on without it", e);
      }
    }
    settings
        .log()
        .write(
            LogLevel.INFO,
            "soci-snapshotter-grpc serving on " + settings.socket(),
            "ready",
            Map.of("address", settings.socket().toString(), "root", settings.root().toString()));
    notify("READY=1");
    warmup = Thread.ofPlatform().name("soci-warmup-snapshots").daemon().start(this::warmUp);
  }

  /**
   * The snapshot path's warm-up ({@link SnapshotPathWarmup}): a throwaway overlay snapshotter under
   * {@code <root>/warmup-snapshots}, whose preparer answers Remote without mounting, served on a
   * socket of its own (without the metrics interceptor, so nothing is counted), exercised, then
   * stopped and removed. Reports {@code snapshot-warmup-done}; a failure is only logged.
   */
  private void warmUp() {
    long t0 = System.nanoTime();
    Path dir = settings.root().resolve("warmup-snapshots");
    Map<String, Object> f = new java.util.LinkedHashMap<>();
    try {
      FileTrees.delete(dir);
      RemotePreparer remote =
          new RemotePreparer() {
            @Override
            public Outcome tryPrepare(String key, Path fsDir, Map<String, String> labels) {
              return new Remote();
            }

            @Override
            public void unmount(Path fsDir) {}
          };
      try (OverlaySnapshotter s =
              OverlaySnapshotter.open(
                  OverlaySnapshotter.Config.of(dir.resolve("snapshotter")).withRemote(remote));
          UnixSocketServer ws =
              UnixSocketServer.start(
                  dir.resolve("s.sock"),
                  List.of(new SnapshotsService(s)),
                  List.of(new NamespaceInterceptor()))) {
        f.put(
            "cycles",
            SnapshotPathWarmup.exercise(
                ws.socket(), SnapshotPathWarmup.CYCLES, SnapshotPathWarmup.BUDGET_NANOS));
      }
    } catch (IOException | RuntimeException e) {
      if (Thread.currentThread().isInterrupted()) {
        f.put("stopped", true); // the daemon is stopping: its call was cut short, nothing failed
      } else {
        f.put("error", String.valueOf(e.getMessage()));
      }
    } finally {
      try {
        FileTrees.delete(dir);
      } catch (IOException e) {
        f.putIfAbsent("error", "cannot remove " + dir + ": " + e.getMessage());
      }
    }
    f.put("duration_ms", (System.nanoTime() - t0) / 1_000_000);
    settings
        .log()
        .write(
            f.containsKey("error") ? LogLevel.WARN : LogLevel.INFO,
            "snapshot path warmed up",
            "snapshot-warmup-done",
            f);
  }

  private void notify(String state) {
    try {
      if (SdNotify.send(settings.notifySocket(), state)) {
        settings.log().debug("sd_notify " + state);
      }
    } catch (IllegalStateException e) {
      settings.log().warn("sd_notify failed", e);
    }
  }

  private Map<String, Long> countSnapshots() {
    Map<String, Long> counts = new TreeMap<>();
    for (Kind k : Kind.values()) {
      counts.put(k.wireName(), 0L);
    }
    try {
      snapshotter.walk(List.of(), i -> counts.merge(i.kind().wireName(), 1L, Long::sum));
    } catch (IOException | RuntimeException e) {
      settings.log().warn("cannot count snapshots", e);
    }
    return counts;
  }

  /** The snapshotter being served. */
  public OverlaySnapshotter snapshotter() {
    return snapshotter;
  }

  /** The gRPC socket. */
  public Path socket() {
    return settings.socket();
  }

  /** The bound metrics port, or -1 without {@code metrics_address}. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  /**
   * Graceful stop: stop accepting calls, unmount every remote snapshot through the preparer (which
   * keeps what it cached, {@link RemotePreparer#release}), close the preparer and the metadata
   * store. Directories are kept. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    notify("STOPPING=1");
    stopServing();
    try {
      Set<Path> mounted = new HashSet<>(snapshotter.mountsUnderSnapshots());
      for (RestorableSnapshot rs : snapshotter.remoteSnapshots()) {
        Path fs = rs.fsDir().toAbsolutePath().normalize();
        if (mounted.contains(fs)) {
          try {
            preparer.release(fs);
          } catch (IOException | RuntimeException e) {
            settings.log().warn("cannot unmount remote snapshot " + rs.info().name(), e);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      settings.log().warn("cannot list remote snapshots for unmounting", e);
    }
    closeStore();
    closePreparer(preparer, settings.log());
    settings.log().info("soci-snapshotter-grpc stopped");
  }

  /**
   * Stops serving and closes the metadata store without unmounting anything: what survives a {@code
   * kill -9}, for restart tests. Idempotent.
   */
  public synchronized void crash() {
    if (closed) {
      return;
    }
    stopServing();
    closeStore();
  }

  private void stopServing() {
    if (warmup != null) {
      warmup.interrupt(); // it stops after the cycle under way
      try {
        warmup.join(java.time.Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (AutoCloseable x : extensions) {
      try {
        x.close();
      } catch (Exception e) {
        settings.log().warn("cannot stop " + x.getClass().getSimpleName(), e);
      }
    }
    extensions.clear();
    if (server != null) {
      server.stop(5);
    }
    if (metricsServer != null) {
      metricsServer.close();
    }
  }

  private void closeStore() {
    closed = true;
    try {
      snapshotter.close();
    } catch (IOException e) {
      settings.log().warn("cannot close the metadata store", e);
    }
  }

  private static void closePreparer(RemotePreparer p, JsonLog log) {
    if (p instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("cannot close the remote preparer", e);
      }
    }
  }
}
