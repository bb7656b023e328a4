package dev.finch.soci.daemon;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The daemon's {@code config.toml}, restricted to the keys this implementation honours. Key names
 * and defaults follow the reference ({@code config/*.go}) except where noted: {@code
 * [pull_modes.soci_v1] enable} defaults to {@code true} here (the reference turned it off in
 * v0.10.0), and {@code [cache] max_bytes} and {@code native_handover} are our own. Read with {@link
 * DaemonConfigLoader}, printed with {@link DaemonConfigWriter}.
 *
 * @param metrics {@code metrics_address}, {@code metrics_network} and {@code no_prometheus}: where
 *     the Prometheus endpoint listens
 * @param mountTimeoutSec {@code mount_timeout_sec}: limit on resolving and mounting one lazy layer
 */
public record DaemonConfig(
    Metrics metrics,
    long mountTimeoutSec,
    PullModes pullModes,
    Http http,
    Blob blob,
    BackgroundFetch backgroundFetch,
    SnapshotterSection snapshotter,
    ContentStoreSection contentStore,
    Resolver resolver,
    Cache cache,
    Prefetch prefetch) {

  public DaemonConfig {
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(pullModes, "pullModes");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(blob, "blob");
    Objects.requireNonNull(backgroundFetch, "backgroundFetch");
    Objects.requireNonNull(snapshotter, "snapshotter");
    Objects.requireNonNull(contentStore, "contentStore");
    Objects.requireNonNull(resolver, "resolver");
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(prefetch, "prefetch");
  }

  /** The built-in defaults, used when the default config file does not exist. */
  public static DaemonConfig defaults() {
    return new DaemonConfig(
        Metrics.NONE,
        30,
        new PullModes(true, true),
        Http.DEFAULT,
        new Blob(
            300, Http.DEFAULT.maxRetries(), Http.DEFAULT.minWaitMsec(), Http.DEFAULT.maxWaitMsec()),
        new BackgroundFetch(false, 500, 30_000, 300),
        new SnapshotterSection(false),
        new ContentStoreSection("/run/containerd/containerd.sock"),
        new Resolver(Map.of()),
        new Cache(Cache.DEFAULT_MAX_BYTES, Cache.DEFAULT_NATIVE_HANDOVER),
        new Prefetch(true));
  }

  /** This config with another metrics endpoint. */
  public DaemonConfig withMetrics(Metrics m) {
    return new DaemonConfig(
        m,
        mountTimeoutSec,
        pullModes,
        http,
        blob,
        backgroundFetch,
        snapshotter,
        contentStore,
        resolver,
        cache,
        prefetch);
  }

  /**
   * The Prometheus endpoint, as the reference's top-level keys: {@code metrics_address} ({@code
   * host:port} for {@code tcp}, a socket path for {@code unix}; empty for none), {@code
   * metrics_network} ({@code tcp}, the default, or {@code unix}) and {@code no_prometheus} (true
   * turns the endpoint off whatever the address).
   */
  public record Metrics(String address, String network, boolean noPrometheus) {
    public static final String TCP = "tcp";
    public static final String UNIX = "unix";
    public static final Metrics NONE = new Metrics("", TCP, false);

    public Metrics {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(network, "network");
      if (!network.equals(TCP) && !network.equals(UNIX)) {
        throw new IllegalArgumentException(
            "metrics_network must be \"tcp\" or \"unix\", not \"" + network + "\"");
      }
    }

    /** A TCP endpoint on {@code hostPort}. */
    public static Metrics tcp(String hostPort) {
      return new Metrics(hostPort, TCP, false);
    }

    /** A unix-socket endpoint at {@code path}. */
    public static Metrics unix(String path) {
      return new Metrics(path, UNIX, false);
    }

    /** True when an endpoint is to be served. */
    public boolean enabled() {
      return !noPrometheus && !address.isBlank();
    }

    public boolean unix() {
      return network.equals(UNIX);
    }

    /**
     * How the endpoint is reached, for the log: {@code http://host:port/metrics} or {@code
     * unix:PATH (GET /metrics)}.
     */
    public String url() {
      return unix() ? "unix:" + address + " (GET /metrics)" : "http://" + address + "/metrics";
    }
  }

  /**
   * {@code [pull_modes.soci_v1] enable} (referrers discovery) and {@code [pull_modes.soci_v2]
   * enable} (manifest annotation discovery).
   */
  public record PullModes(boolean sociV1Enable, boolean sociV2Enable) {}

  /**
   * {@code [http]}, the reference's CamelCase keys, for every registry call: {@code MaxRetries},
   * {@code MinWaitMsec} and {@code MaxWaitMsec} (exponential backoff between them), {@code
   * DialTimeoutMsec} (connect), {@code ResponseHeaderTimeoutMsec} (request sent to headers), {@code
   * RequestTimeoutMsec} (one call, retries included); and our own {@code NoProgressTimeoutMsec}:
   * the longest wait for more bytes of a body.
   */
  public record Http(
      long maxRetries,
      long minWaitMsec,
      long maxWaitMsec,
      long dialTimeoutMsec,
      long responseHeaderTimeoutMsec,
      long requestTimeoutMsec,
      long noProgressTimeoutMsec) {
    /** The reference's defaults (8 retries, 30 ms to 300 s, 3 s, 3 s, 300 s) and 10 s. */
    public static final Http DEFAULT = new Http(8, 30, 300_000, 3_000, 3_000, 300_000, 10_000);
  }

  /**
   * {@code [blob]}, for the range reads of lazily loaded layers: {@code fetching_timeout_sec}, the
   * budget of one read (retries included: a container's read waits no longer, then gets EIO),
   * {@code max_retries}, {@code min_wait_msec} and {@code max_wait_msec} (taken from {@code [http]}
   * when absent).
   */
  public record Blob(
      long fetchingTimeoutSec, long maxRetries, long minWaitMsec, long maxWaitMsec) {}

  /**
   * {@code [background_fetch]}: {@code disable}, {@code fetch_period_msec} (one span per period),
   * {@code silence_period_msec} (pause after a new image mounts), {@code max_queue_size} (layers
   * waiting to be filled; a layer mounted when the queue is full is not filled in the background,
   * the reference's drop policy "newest"; -1 = unlimited).
   */
  public record BackgroundFetch(
      boolean disable, long fetchPeriodMsec, long silencePeriodMsec, long maxQueueSize) {}

  /**
   * {@code [snapshotter] allow_invalid_mounts_on_restart}: start even when a remote snapshot cannot
   * be re-mounted. (Our daemon always starts; this only decides the log level.)
   */
  public record SnapshotterSection(boolean allowInvalidMountsOnRestart) {}

  /** {@code [content_store] containerd_address}: containerd's socket, for reading image configs. */
  public record ContentStoreSection(String containerdAddress) {
    public ContentStoreSection {
      Objects.requireNonNull(containerdAddress, "containerdAddress");
    }
  }

  /** {@code [resolver.host."<host>"]} tables, keyed by registry host as references name it. */
  public record Resolver(Map<String, Host> hosts) {
    public Resolver {
      hosts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(hosts));
    }
  }

  /** {@code mirrors = [{host = "...", insecure = false, request_timeout_sec = 0}, ...]}. */
  public record Host(List<Mirror> mirrors) {
    public Host {
      mirrors = List.copyOf(mirrors);
    }
  }

  /**
   * One mirror: {@code insecure} means plain HTTP; {@code requestTimeoutSec} 0 is the default,
   * negative no timeout.
   */
  public record Mirror(String host, boolean insecure, long requestTimeoutSec) {
    public Mirror {
      Objects.requireNonNull(host, "host");
    }
  }

  /**
   * {@code [cache] max_bytes}: upper bound, in bytes, of the on-disk span cache under the root
   * (uncompressed spans of all lazily mounted layers, least recently used evicted first); 0 means
   * unbounded. Our own key: the reference's directory cache has no byte bound. {@code [cache]
   * native_handover} (our own too, on by default): a lazily mounted layer whose every span is
   * cached is copied once to a plain directory that new containers then read without FUSE
   * (docs/daemon.md, "Native hand-over"); off keeps every read on FUSE and the disk room.
   */
  public record Cache(long maxBytes, boolean nativeHandover) {
    /** 10 GiB. */
    public static final long DEFAULT_MAX_BYTES = 10L << 30;

    /** The default of {@code native_handover}. */
    public static final boolean DEFAULT_NATIVE_HANDOVER = true;
  }

  /**
   * {@code [prefetch] enable}: fetch the spans a layer's prefetch artifact lists, in the background
   * from its mount on (docs/daemon.md). On by default here (a user who built the artifact asked for
   * it); the reference keeps it off as experimental.
   */
  public record Prefetch(boolean enable) {}
}
