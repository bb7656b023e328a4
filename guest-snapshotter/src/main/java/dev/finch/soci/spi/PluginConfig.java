package dev.finch.soci.spi;

import dev.finch.soci.registry.RetryPolicy;
import dev.finch.soci.registry.Timeouts;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The daemon's configuration as the lazy-loading plug-in sees it: only the keys it honours, with
 * the daemon's defaults already applied. The daemon fills it from its {@code config.toml}.
 *
 * @param pullModes how an image's SOCI index is discovered
 * @param backgroundFetch {@code [background_fetch]}
 * @param mirrors {@code [resolver.host."<host>"] mirrors}, keyed by registry host as references
 *     name it
 * @param spanCacheMaxBytes {@code [cache] max_bytes}: bound of the on-disk span cache; 0 means
 *     unbounded
 * @param nativeHandover {@code [cache] native_handover}: hand a layer whose every span is cached
 *     over to a plain directory for new containers
 * @param prefetch {@code [prefetch] enable}: fetch the spans of a layer's prefetch artifact, in the
 *     background from its mount on
 * @param mountTimeoutSec {@code mount_timeout_sec}: the budget of the registry work that mounting
 *     one lazy layer needs (its index, its zTOC); past it the layer is left to containerd
 * @param registry {@code [http]} and {@code [blob]}: how long registry calls may take and how they
 *     are retried
 */
public record PluginConfig(
    PullModes pullModes,
    BackgroundFetch backgroundFetch,
    Map<String, List<Mirror>> mirrors,
    long spanCacheMaxBytes,
    boolean nativeHandover,
    boolean prefetch,
    long mountTimeoutSec,
    Registry registry) {
  public PluginConfig {
    Objects.requireNonNull(pullModes, "pullModes");
    Objects.requireNonNull(registry, "registry");
    if (mountTimeoutSec <= 0) {
      throw new IllegalArgumentException("mountTimeoutSec <= 0");
    }
    Objects.requireNonNull(backgroundFetch, "backgroundFetch");
    mirrors = Map.copyOf(mirrors);
    if (spanCacheMaxBytes < 0) {
      throw new IllegalArgumentException("spanCacheMaxBytes < 0");
    }
  }

  /**
   * {@code [pull_modes.soci_v1] enable} (discovery through the referrers API or its fallback tag)
   * and {@code [pull_modes.soci_v2] enable} (discovery through the image manifest's annotation).
   */
  public record PullModes(boolean sociV1Enable, boolean sociV2Enable) {}

  /**
   * {@code [background_fetch]}: {@code disable}, {@code fetch_period_msec} (one span per period),
   * {@code silence_period_msec} (pause after a layer mounts), {@code max_queue_size} (layers
   * waiting to be filled; -1 = unlimited).
   */
  public record BackgroundFetch(
      boolean disable, long fetchPeriodMsec, long silencePeriodMsec, long maxQueueSize) {}

  /** One mirror of a registry host; {@code insecure} means plain HTTP. */
  public record Mirror(String host, boolean insecure) {
    public Mirror {
      Objects.requireNonNull(host, "host");
    }
  }

  /**
   * Registry time bounds and retries: {@code retry} for every call ({@code [http]}), {@code
   * blobRetry} for the range reads of layers ({@code [blob]}).
   */
  public record Registry(Timeouts timeouts, RetryPolicy retry, RetryPolicy blobRetry) {
    /** The reference's defaults. */
    public static final Registry DEFAULT =
        new Registry(Timeouts.DEFAULT, RetryPolicy.DEFAULT, RetryPolicy.DEFAULT);

    public Registry {
      Objects.requireNonNull(timeouts, "timeouts");
      Objects.requireNonNull(retry, "retry");
      Objects.requireNonNull(blobRetry, "blobRetry");
    }
  }
}
