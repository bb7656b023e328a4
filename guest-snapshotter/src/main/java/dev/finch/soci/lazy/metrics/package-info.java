/**
 * The lazy-loading plug-in's Prometheus metrics: {@link dev.finch.soci.lazy.metrics.LazyMetrics}
 * turns the counts of {@link dev.finch.soci.lazy.mount.LayerMounts} into metric snapshots of the
 * Prometheus client library at each scrape; the daemon's endpoint writes them out.
 *
 * <p>Rule: metric names and labels follow soci-snapshotter's where it has the metric ({@code
 * soci_fs_*}, {@code layer_*_bytes}); nothing here is counted, only read.
 */
package dev.finch.soci.lazy.metrics;
