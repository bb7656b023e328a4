/**
 * The gRPC edge of the snapshotter: containerd's Snapshots service adapted onto {@link
 * dev.finch.soci.snapshot.Snapshotter}, the namespace interceptor, and the mapping of snapshot
 * error categories to gRPC status codes. The only package that serves the generated containerd
 * protos and builds {@code io.grpc.Status} from domain errors.
 */
package dev.finch.soci.grpc;
