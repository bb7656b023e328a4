/**
 * A client for containerd's gRPC API (content, images, leases, snapshots, diff, namespaces,
 * version) over its unix socket, with domain records instead of protobuf messages.
 *
 * <p>Entry point: {@link dev.finch.soci.containerd.ContainerdClient#connect}. Errors are {@link
 * dev.finch.soci.containerd.ContainerdException}s with a {@code Kind} (containerd's errdefs).
 * {@link dev.finch.soci.containerd.ImageReader} reads an image's index, platform manifests, configs
 * and layers from the content store, which is what {@code soci create} needs. The generated
 * protobuf classes live in {@code dev.finch.soci.grpc.api} and never appear in this package's
 * public signatures.
 */
package dev.finch.soci.containerd;
