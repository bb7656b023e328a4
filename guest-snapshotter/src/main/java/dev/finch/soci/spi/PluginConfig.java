package dev.finch.soci.spi;

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
 * @param prefetch {@code [prefetch] enable}: fetch the spans of a layer's prefetch artifact before
 *     its mount completes
 */
public record PluginConfig(
    PullModes pullModes,
    BackgroundFetch backgroundFetch,
    Map<String, List<Mirror>> mirrors,
    long spanCacheMaxBytes,
    boolean prefetch) {
  public PluginConfig {
    Objects.requireNonNull(pullModes, "pullModes");
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
}
