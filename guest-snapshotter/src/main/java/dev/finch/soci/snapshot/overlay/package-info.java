/**
 * The overlayfs implementation of {@link dev.finch.soci.snapshot.Snapshotter}: containerd's overlay
 * snapshotter layout ({@code <root>/snapshots/<id>/{fs,work}}), ids, mount computation and
 * asynchronous remove, plus soci's commit-under-target protocol around the {@link
 * dev.finch.soci.snapshot.RemotePreparer}.
 *
 * <p><b>Rules.</b> Depends on the API package and on {@code storage}, never on the gRPC service or
 * the daemon. It computes mounts and never mounts a container's filesystem itself; the only mounts
 * it touches are remote layers below {@code snapshots/}, which it unmounts through the preparer
 * before deleting a directory.
 */
package dev.finch.soci.snapshot.overlay;
