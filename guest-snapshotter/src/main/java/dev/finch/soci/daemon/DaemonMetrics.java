package dev.finch.soci.daemon;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The daemon's own metrics (namespace {@code soci}, subsystem {@code daemon}), registered in the
 * daemon's registry: {@code soci_daemon_start_time_seconds} (gauge), {@code
 * soci_daemon_grpc_calls_total{method}} (counter of Snapshots calls), {@code
 * soci_daemon_remote_restore_total{result}} (counter of remote snapshots re-mounted on start,
 * {@code ok} or {@code failed}) and {@code soci_daemon_snapshots{kind}} (gauge, read at each
 * scrape). Doubles as the server interceptor that counts calls.
 */
final class DaemonMetrics implements ServerInterceptor {
  private final Counter calls;
  private final Counter restores;

  DaemonMetrics(PrometheusRegistry registry, Supplier<Map<String, Long>> snapshotsByKind) {
    Gauge.builder()
        .name("soci_daemon_start_time_seconds")
        .help("Start time of the daemon since the Unix epoch.")
        .withoutExemplars()
        .register(registry)
        .set(Instant.now().getEpochSecond());
    calls =
        Counter.builder()
            .name("soci_daemon_grpc_calls_total")
            .help("Snapshots API calls received, by method.")
            .labelNames("method")
            .withoutExemplars()
            .register(registry);
    restores =
        Counter.builder()
            .name("soci_daemon_remote_restore_total")
            .help("Remote snapshots re-mounted on start, by result.")
            .labelNames("result")
            .withoutExemplars()
            .register(registry);
    // both results are shown from the start, at 0
    restores.labelValues("ok");
    restores.labelValues("failed");
    GaugeWithCallback.builder()
        .name("soci_daemon_snapshots")
        .help("Snapshots in the metadata store, by kind.")
        .labelNames("kind")
        .callback(cb -> snapshotsByKind.get().forEach((kind, n) -> cb.call(n, kind)))
        .register(registry);
  }

  /** A remote snapshot was re-mounted on start. */
  void restored() {
    restores.labelValues("ok").inc();
  }

  /** A remote snapshot could not be re-mounted on start. */
  void restoreFailed() {
    restores.labelValues("failed").inc();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    calls.labelValues(call.getMethodDescriptor().getBareMethodName()).inc();
    return next.startCall(call, headers);
  }
}
