package dev.finch.soci.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a snapshotter needs from the lazy-loading layer (soci's {@code FileSystem}): implemented by
 * the lazy-loading plug-in ({@code dev.finch.soci.lazy}) and handed to the snapshotter
 * implementation, so that the snapshotter owns the whole commit-under-target protocol and the
 * plug-in only mounts or unpacks. Part of the API because the remote-snapshot Prepare protocol
 * (ALREADY_EXISTS after a remote or local outcome, normal mounts after a defer) is part of the
 * {@link Snapshotter} contract.
 *
 * <p>Called only for prepares that carry {@code containerd.io/snapshot.ref}, outside any metadata
 * transaction (it may do network I/O). Policy lives in the implementation: soci's {@code
 * min_layer_size}, parallel pull and the per-image "no index, defer" cache all just decide which
 * {@link Outcome} to return.
 */
public interface RemotePreparer {

  /**
   * Tries to populate {@code fsDir}, the new active snapshot's (empty) upper directory.
   *
   * @param key the active snapshot's key
   * @param labels the prepare labels plus {@link SnapshotLabels#TARGET_NAMESPACE} when known
   * @return {@link Remote} if a lazy filesystem is now mounted on {@code fsDir}, {@link Local} if
   *     the layer was unpacked into {@code fsDir}, {@link Defer} to let containerd pull and apply
   *     the layer itself. Throwing is treated as {@link Defer}.
   */
  Outcome tryPrepare(String key, Path fsDir, Map<String, String> labels) throws IOException;

  /**
   * A hint that a Prepare with (at least) these labels is about to come, e.g. from an rpull running
   * in this process that has just resolved the image: the preparer may start fetching what that
   * Prepare will need (index, zTOC) meanwhile. Returns at once; failures are the Prepare's to
   * report.
   */
  default void expect(Map<String, String> labels) {}

  /**
   * Unmounts a remote layer from {@code fsDir} before {@link Snapshotter#cleanup()} deletes the
   * directory. Never called for directories that are not mount points.
   */
  void unmount(Path fsDir) throws IOException;

  /**
   * Unmounts a remote layer from {@code fsDir} because the daemon stops, not because the snapshot
   * goes: what the preparer cached for it stays for the next start, which mounts it again. By
   * default the same as {@link #unmount}.
   */
  default void release(Path fsDir) throws IOException {
    unmount(fsDir);
  }

  /** The result of {@link #tryPrepare}. */
  sealed interface Outcome permits Remote, Local, Defer {}

  /** A lazy (FUSE) layer is mounted on the directory; committed with the remote label, usage 0. */
  record Remote() implements Outcome {}

  /** The layer was downloaded and unpacked into the directory; committed with measured usage. */
  record Local() implements Outcome {}

  /** Nothing was done; the normal mounts go back to containerd. */
  record Defer(String reason) implements Outcome {}

  /** A preparer that always defers: a plain overlayfs snapshotter. */
  static RemotePreparer none() {
    return Disabled.INSTANCE;
  }

  /** Implementation of {@link #none()}. */
  enum Disabled implements RemotePreparer {
    INSTANCE;

    @Override
    public Outcome tryPrepare(String key, Path fsDir, Map<String, String> labels) {
      return new Defer("remote snapshots disabled");
    }

    @Override
    public void unmount(Path fsDir) throws IOException {
      throw new IOException("cannot unmount " + fsDir + ": remote snapshots disabled");
    }
  }
}
