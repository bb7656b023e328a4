package dev.finch.soci.lazy.metrics;

import dev.finch.soci.lazy.mount.MountStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The plug-in's metrics (namespace {@code soci}, subsystem {@code fs}, as the reference), read from
 * the mounts at each scrape:
 *
 * <ul>
 *   <li>{@code soci_fs_operation_count{layer,operation_type}}, untyped (see below): {@code
 *       synchronous_read_count}, {@code synchronous_read_remote_registry_fetch_count}, {@code
 *       span_verification_failure_count} per layer; {@code background_span_fetch_count}, {@code
 *       background_span_fetch_failure_count}, {@code background_fetch_work_queue_evicted} without a
 *       layer;
 *   <li>{@code soci_fs_bytes_served{layer,operation_type="synchronous_bytes_served"}}, untyped;
 *   <li>{@code soci_fs_registry_fetched_bytes_total{layer}}, counter: compressed bytes from the
 *       registry;
 *   <li>{@code layer_fetched_size_bytes{digest,mountpoint}} and {@code
 *       layer_size_bytes{digest,mountpoint}}, gauges;
 *   <li>{@code soci_fs_span_cache_bytes}, gauge; {@code soci_fs_span_cache_evictions_total},
 *       counter; {@code soci_fs_background_fetch_work_queue_size}, gauge.
 * </ul>
 *
 * The client library's text format ends every counter's name in {@code _total}. The two families
 * the reference exposes under names without it ({@code soci_fs_operation_count}, {@code
 * soci_fs_bytes_served}) are therefore written as untyped ({@code # TYPE ... untyped}) under
 * exactly the reference's names, so dashboards and alerts made for soci-snapshotter keep working
 * (PromQL's {@code rate} and {@code increase} do not look at the type). Our own counters are typed
 * and end in {@code _total}. A layer mounted twice is counted once, its two mounts' counts summed.
 */
public final class LazyMetrics implements MultiCollector {
  private final Supplier<MountStats> stats;

  /** Metrics of what {@code stats} answers at each scrape. */
  public LazyMetrics(Supplier<MountStats> stats) {
    this.stats = stats;
  }

  @Override
  public MetricSnapshots collect() {
    MountStats s = stats.get();
    // per layer digest: the counts of every mount of it
    Map<String, long[]> perLayer = new TreeMap<>();
    for (MountStats.Layer l : s.layers()) {
      long[] c = perLayer.computeIfAbsent(l.digest().toString(), d -> new long[5]);
      c[0] += l.syncReads();
      c[1] += l.syncFetches();
      c[2] += l.verifyFailures();
      c[3] += l.servedBytes();
      c[4] += l.fetchedBytes();
    }
    UnknownSnapshot.Builder operations =
        UnknownSnapshot.builder()
            .name("soci_fs_operation_count")
            .help("Lazy-loading operations, by layer and type.");
    UnknownSnapshot.Builder served =
        UnknownSnapshot.builder()
            .name("soci_fs_bytes_served")
            .help("Bytes served to FUSE reads, by layer.");
    CounterSnapshot.Builder fetched =
        CounterSnapshot.builder()
            .name("soci_fs_registry_fetched_bytes")
            .help("Compressed bytes received from the registry, by layer.");
    perLayer.forEach(
        (layer, c) -> {
          operations.dataPoint(
              untyped(c[0], "layer", layer, "operation_type", "synchronous_read_count"));
          operations.dataPoint(
              untyped(
                  c[1],
                  "layer",
                  layer,
                  "operation_type",
                  "synchronous_read_remote_registry_fetch_count"));
          operations.dataPoint(
              untyped(c[2], "layer", layer, "operation_type", "span_verification_failure_count"));
          served.dataPoint(
              untyped(c[3], "layer", layer, "operation_type", "synchronous_bytes_served"));
          fetched.dataPoint(counter(c[4], "layer", layer));
        });
    MountStats.Background bg = s.background();
    operations.dataPoint(
        untyped(bg.spansFetched(), "operation_type", "background_span_fetch_count"));
    operations.dataPoint(
        untyped(bg.failures(), "operation_type", "background_span_fetch_failure_count"));
    operations.dataPoint(
        untyped(bg.dropped(), "operation_type", "background_fetch_work_queue_evicted"));
    GaugeSnapshot.Builder fetchedSize =
        GaugeSnapshot.builder()
            .name("layer_fetched_size_bytes")
            .help("Compressed bytes of the layer now in the span cache.");
    GaugeSnapshot.Builder size =
        GaugeSnapshot.builder().name("layer_size_bytes").help("Compressed size of the layer.");
    for (MountStats.Layer l : s.layers()) {
      Labels labels =
          Labels.of("digest", l.digest().toString(), "mountpoint", l.mountpoint().toString());
      fetchedSize.dataPoint(gauge(l.cachedCompressedBytes(), labels));
      size.dataPoint(gauge(l.size(), labels));
    }
    return MetricSnapshots.of(
        operations.build(),
        served.build(),
        fetched.build(),
        fetchedSize.build(),
        size.build(),
        GaugeSnapshot.builder()
            .name("soci_fs_span_cache_bytes")
            .help("Uncompressed bytes in the on-disk span cache.")
            .dataPoint(gauge(s.spanCacheBytes(), Labels.EMPTY))
            .build(),
        CounterSnapshot.builder()
            .name("soci_fs_span_cache_evictions_total")
            .help("Spans evicted from the span cache to stay within max_bytes.")
            .dataPoint(counter(s.spanCacheEvictions()))
            .build(),
        GaugeSnapshot.builder()
            .name("soci_fs_background_fetch_work_queue_size")
            .help("Layers waiting for the background fetcher.")
            .dataPoint(gauge(bg.queued(), Labels.EMPTY))
            .build());
  }

  private static CounterDataPointSnapshot counter(long value, String... labels) {
    return CounterDataPointSnapshot.builder().labels(Labels.of(labels)).value(value).build();
  }

  private static UnknownDataPointSnapshot untyped(long value, String... labels) {
    return UnknownDataPointSnapshot.builder().labels(Labels.of(labels)).value(value).build();
  }

  private static GaugeDataPointSnapshot gauge(long value, Labels labels) {
    return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }
}
