/**
 * The snapshotter API: containerd's snapshotter contract as plain Java ({@link
 * dev.finch.soci.snapshot.Snapshotter}, {@link dev.finch.soci.snapshot.Info}, {@link
 * dev.finch.soci.snapshot.Kind}, {@link dev.finch.soci.snapshot.Mount}, {@link
 * dev.finch.soci.snapshot.Usage}), its error categories ({@link dev.finch.soci.snapshot.ErrorKind},
 * {@link dev.finch.soci.snapshot.SnapshotException}), the labels it reads and writes, and the
 * {@link dev.finch.soci.snapshot.RemotePreparer} hook through which the lazy-loading layer takes
 * part in soci's remote-snapshot Prepare protocol.
 *
 * <p><b>Rules.</b> This package never imports an implementation ({@code snapshot.overlay}) or a
 * transport ({@code service}); they depend on it. ({@code DiskUsage} is a native binding that only
 * waits here for a home of its own.)
 *
 * <p><b>Namespaces.</b> containerd's metadata layer ({@code core/metadata/snapshot.go}) owns
 * namespacing: for every Prepare/View/Commit it draws a sequence number from the namespace's
 * snapshotter bucket and calls the backend (us, through the proxy) with key {@code
 * <namespace>/<seq>/<key>} ({@code createKey}), and it resolves client keys back itself. So keys a
 * snapshotter sees are already unique across namespaces and are not namespaced again. Two
 * exceptions follow from that code: the {@code containerd.io/snapshot.ref} target name is passed
 * through <em>unprefixed</em> (it is a chain ID, shared by all namespaces, so a second namespace
 * preparing the same target gets ALREADY_EXISTS from us), and after ALREADY_EXISTS containerd finds
 * the committed snapshot by walking with {@code labels."containerd.io/snapshot.ref"==<target>,
 * parent==<backend parent>}, so the commit must keep that label. Only labels with the {@code
 * containerd.io/snapshot/} prefix or the ref label reach the backend ({@code
 * FilterInheritedLabels}). The namespace itself arrives as gRPC metadata; it is recorded in {@link
 * dev.finch.soci.snapshot.SnapshotLabels#TARGET_NAMESPACE} on remote snapshots.
 */
package dev.finch.soci.snapshot;
