package dev.finch.soci.lazy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.lazy.mount.MountStats;
import dev.finch.soci.oci.Digest;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The names, labels, types and values the plug-in's metrics are exposed with. */
class LazyMetricsTest {
  static final Digest A = new Digest("sha256", "a".repeat(64));
  static final Digest B = new Digest("sha256", "b".repeat(64));

  static String scrape(MountStats stats) throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new LazyMetrics(() -> stats));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create()
        .write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyMetricWithItsLabelsAndType() throws IOException {
    MountStats stats =
        new MountStats(
            List.of(
                new MountStats.Layer(Path.of("/r/1/fs"), A, 1000, 300, 4096, 310, 7, 2, 0),
                new MountStats.Layer(Path.of("/r/2/fs"), B, 2000, 0, 0, 0, 0, 0, 1)),
            new MountStats.Background(5, 1, 0, 2),
            123456,
            3);
    String a = "layer=\"" + A + "\"";
    String b = "layer=\"" + B + "\"";
    assertThat(scrape(stats))
        .isEqualTo(
            String.join(
                "\n",
                "# HELP layer_fetched_size_bytes Compressed bytes of the layer now in the span"
                    + " cache.",
                "# TYPE layer_fetched_size_bytes gauge",
                "layer_fetched_size_bytes{digest=\"" + A + "\",mountpoint=\"/r/1/fs\"} 300.0",
                "layer_fetched_size_bytes{digest=\"" + B + "\",mountpoint=\"/r/2/fs\"} 0.0",
                "# HELP layer_size_bytes Compressed size of the layer.",
                "# TYPE layer_size_bytes gauge",
                "layer_size_bytes{digest=\"" + A + "\",mountpoint=\"/r/1/fs\"} 1000.0",
                "layer_size_bytes{digest=\"" + B + "\",mountpoint=\"/r/2/fs\"} 2000.0",
                "# HELP soci_fs_background_fetch_work_queue_size Layers waiting for the background"
                    + " fetcher.",
                "# TYPE soci_fs_background_fetch_work_queue_size gauge",
                "soci_fs_background_fetch_work_queue_size 2.0",
                "# HELP soci_fs_bytes_served Bytes served to FUSE reads, by layer.",
                "# TYPE soci_fs_bytes_served untyped",
                "soci_fs_bytes_served{"
                    + a
                    + ",operation_type=\"synchronous_bytes_served\"} 4096.0",
                "soci_fs_bytes_served{" + b + ",operation_type=\"synchronous_bytes_served\"} 0.0",
                "# HELP soci_fs_operation_count Lazy-loading operations, by layer and type.",
                "# TYPE soci_fs_operation_count untyped",
                "soci_fs_operation_count{"
                    + a
                    + ",operation_type=\"span_verification_failure_count\"} 0.0",
                "soci_fs_operation_count{" + a + ",operation_type=\"synchronous_read_count\"} 7.0",
                "soci_fs_operation_count{"
                    + a
                    + ",operation_type=\"synchronous_read_remote_registry_fetch_count\"} 2.0",
                "soci_fs_operation_count{"
                    + b
                    + ",operation_type=\"span_verification_failure_count\"} 1.0",
                "soci_fs_operation_count{" + b + ",operation_type=\"synchronous_read_count\"} 0.0",
                "soci_fs_operation_count{"
                    + b
                    + ",operation_type=\"synchronous_read_remote_registry_fetch_count\"} 0.0",
                "soci_fs_operation_count{operation_type=\"background_fetch_work_queue_evicted\"}"
                    + " 0.0",
                "soci_fs_operation_count{operation_type=\"background_span_fetch_count\"} 5.0",
                "soci_fs_operation_count{operation_type=\"background_span_fetch_failure_count\"}"
                    + " 1.0",
                "# HELP soci_fs_registry_fetched_bytes_total Compressed bytes received from the"
                    + " registry, by layer.",
                "# TYPE soci_fs_registry_fetched_bytes_total counter",
                "soci_fs_registry_fetched_bytes_total{" + a + "} 310.0",
                "soci_fs_registry_fetched_bytes_total{" + b + "} 0.0",
                "# HELP soci_fs_span_cache_bytes Uncompressed bytes in the on-disk span cache.",
                "# TYPE soci_fs_span_cache_bytes gauge",
                "soci_fs_span_cache_bytes 123456.0",
                "# HELP soci_fs_span_cache_evictions_total Spans evicted from the span cache to"
                    + " stay within max_bytes.",
                "# TYPE soci_fs_span_cache_evictions_total counter",
                "soci_fs_span_cache_evictions_total 3.0",
                ""));
  }

  @Test
  void aLayerMountedTwiceIsOneSeriesWithBothMountsCounts() throws IOException {
    MountStats stats =
        new MountStats(
            List.of(
                new MountStats.Layer(Path.of("/r/1/fs"), A, 1000, 300, 100, 310, 7, 2, 0),
                new MountStats.Layer(Path.of("/r/2/fs"), A, 1000, 300, 50, 0, 3, 0, 0)),
            new MountStats.Background(0, 0, 0, 0),
            0,
            0);
    String text = scrape(stats);
    assertThat(text)
        .contains(
            "soci_fs_bytes_served{layer=\""
                + A
                + "\",operation_type=\"synchronous_bytes_served\"} 150.0")
        .contains(
            "soci_fs_operation_count{layer=\""
                + A
                + "\",operation_type=\"synchronous_read_count\"} 10.0")
        .contains("layer_size_bytes{digest=\"" + A + "\",mountpoint=\"/r/1/fs\"} 1000.0")
        .contains("layer_size_bytes{digest=\"" + A + "\",mountpoint=\"/r/2/fs\"} 1000.0");
  }

  @Test
  void withoutMountsOnlyTheDaemonWideSeriesAreShown() throws IOException {
    String text = scrape(new MountStats(List.of(), new MountStats.Background(0, 0, 0, 0), 0, 0));
    assertThat(text)
        .contains(
            "soci_fs_span_cache_bytes 0.0",
            "soci_fs_span_cache_evictions_total 0.0",
            "soci_fs_operation_count{operation_type=\"background_span_fetch_count\"} 0.0")
        .doesNotContain("layer_size_bytes", "soci_fs_bytes_served", "layer=");
  }
}
