package dev.finch.soci.daemon;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The daemon's own metrics (namespace {@code soci}, subsystem {@code daemon}): start time, gRPC
 * calls served per method, remote snapshots restored or failed on start, and snapshot counts per
 * kind. Doubles as the server interceptor that counts calls.
 */
final class DaemonMetrics implements MetricsSource, ServerInterceptor {
  private final Instant started = Instant.now();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  final AtomicLong restored = new AtomicLong();
  final AtomicLong restoreFailures = new AtomicLong();
  private final Supplier<Map<String, Long>> snapshotsByKind;

  DaemonMetrics(Supplier<Map<String, Long>> snapshotsByKind) {
    this.snapshotsByKind = snapshotsByKind;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    calls.computeIfAbsent(call.getMethodDescriptor().getBareMethodName(), k -> new AtomicLong()).incrementAndGet();
    return next.startCall(call, headers);
  }

  @Override
  public void writePrometheus(Appendable out) throws IOException {
    out.append("# HELP soci_daemon_start_time_seconds Start time of the daemon since the Unix epoch.\n")
        .append("# TYPE soci_daemon_start_time_seconds gauge\n")
        .append("soci_daemon_start_time_seconds ").append(Long.toString(started.getEpochSecond())).append('\n');
    out.append("# HELP soci_daemon_grpc_calls_total Snapshots API calls received, by method.\n")
        .append("# TYPE soci_daemon_grpc_calls_total counter\n");
    for (var e : new TreeMap<>(calls).entrySet()) {
      out.append("soci_daemon_grpc_calls_total{method=\"").append(e.getKey()).append("\"} ")
          .append(Long.toString(e.getValue().get())).append('\n');
    }
    out.append("# HELP soci_daemon_remote_restore_total Remote snapshots re-mounted on start, by result.\n")
        .append("# TYPE soci_daemon_remote_restore_total counter\n")
        .append("soci_daemon_remote_restore_total{result=\"ok\"} ").append(Long.toString(restored.get())).append('\n')
        .append("soci_daemon_remote_restore_total{result=\"failed\"} ")
        .append(Long.toString(restoreFailures.get())).append('\n');
    out.append("# HELP soci_daemon_snapshots Snapshots in the metadata store, by kind.\n")
        .append("# TYPE soci_daemon_snapshots gauge\n");
    for (var e : new TreeMap<>(snapshotsByKind.get()).entrySet()) {
      out.append("soci_daemon_snapshots{kind=\"").append(e.getKey()).append("\"} ")
          .append(Long.toString(e.getValue())).append('\n');
    }
  }
}
