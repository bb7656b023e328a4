package dev.finch.soci.snapshot.overlay.storage;

/**
 * Places where a {@link FaultHook} is invoked, chosen at the boundaries where a crash leaves
 * different on-disk states: before/inside/after the write-ahead record, between checkpoint steps,
 * and (in the snapshotter) after a directory rename that the metadata does not yet know about.
 */
public enum CrashPoint {
  /** Write transaction validated, nothing written yet. */
  BEFORE_LOG_APPEND,
  /** Half of the transaction's record is written and fsynced: a torn tail. */
  MID_LOG_RECORD,
  /** The record is durable; the in-memory state is already published. */
  AFTER_LOG_FSYNC,
  /** A new checkpoint replaced the old one but the log still holds the records it covers. */
  AFTER_CHECKPOINT_RENAME,
  /** The snapshotter renamed {@code new-*} to {@code snapshots/<id>} inside an open transaction. */
  AFTER_DIR_RENAME
}
