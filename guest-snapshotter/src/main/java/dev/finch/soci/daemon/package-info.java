/**
 * The {@code soci-snapshotter-grpc} process: flags and {@code config.toml} (read and written with
 * jackson-dataformat-toml), JSON-lines logging, the unix-socket gRPC server, sd_notify, the
 * Prometheus endpoint, signal handling, and {@link dev.finch.soci.daemon.Wiring}, the only place
 * the object graph is assembled. The lazy-loading layer plugs in through {@link
 * dev.finch.soci.spi.RemotePreparerFactory}, found with {@link java.util.ServiceLoader}: the daemon
 * never imports {@code dev.finch.soci.lazy}. Metrics go through the Prometheus client library's
 * registry, which {@code MetricsServer} writes out.
 */
package dev.finch.soci.daemon;
