package dev.finch.soci.snapshot;

/**
 * Label keys the snapshotter reads or writes (containerd {@code pkg/snapshotters}, soci {@code
 * snapshot/snapshot.go}, {@code fs/source/source.go}).
 */
public final class SnapshotLabels {
  /**
   * Set by containerd's unpacker on Prepare: the chain ID the active snapshot will be committed as.
   */
  public static final String TARGET_SNAPSHOT_REF = "containerd.io/snapshot.ref";

  /** Marks a committed snapshot whose {@code fs} is a lazily loaded (FUSE) mount. */
  public static final String REMOTE = "containerd.io/snapshot/remote";

  /** The only value {@link #REMOTE} takes. */
  public static final String REMOTE_VALUE = "remote snapshot";

  /** Set to {@code "true"} on snapshots produced with a SOCI index (lazy or unpacked locally). */
  public static final String HAS_SOCI_INDEX_DIGEST =
      "containerd.io/snapshot/remote/has.soci.index.digest";

  /** The containerd namespace of the pull, kept so remote layers can be re-mounted on restart. */
  public static final String TARGET_NAMESPACE = "containerd.io/snapshot/remote/namespace";

  private SnapshotLabels() {}
}
