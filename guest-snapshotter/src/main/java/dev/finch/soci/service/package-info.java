/**
 * containerd's Snapshots API ({@code containerd.services.snapshots.v1.Snapshots}) served over a
 * {@link dev.finch.soci.snapshot.Snapshotter}: the service adapter, the interceptor that carries
 * the containerd namespace of each call, and the conversions to the generated messages in {@code
 * dev.finch.soci.grpc.api}.
 *
 * <p><b>Rules.</b> The only place that maps snapshot error kinds to gRPC status codes ({@code
 * StatusMapping}), and the only server of the generated containerd protos. Depends on the snapshot
 * API alone, never on an implementation of it.
 */
package dev.finch.soci.service;
