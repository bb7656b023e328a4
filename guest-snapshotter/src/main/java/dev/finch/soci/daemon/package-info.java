/**
 * The {@code soci-snapshotter-grpc} process: flags and {@code config.toml} (with a small TOML
 * reader in {@code toml}), JSON-lines logging, the unix-socket gRPC server, sd_notify, the
 * Prometheus endpoint, signal handling, and {@link dev.finch.soci.daemon.Wiring}, the only place
 * the object graph is assembled. The lazy-loading layer plugs in through {@link
 * dev.finch.soci.daemon.RemotePreparerFactory}.
 */
package dev.finch.soci.daemon;
