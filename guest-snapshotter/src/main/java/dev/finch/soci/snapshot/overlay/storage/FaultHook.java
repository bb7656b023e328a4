package dev.finch.soci.snapshot.overlay.storage;

/**
 * Test seam for crash simulation. Production code uses {@link #NONE}. A test hook simulates a
 * process crash by throwing an {@link Error}: the store and snapshotter only run their
 * failure-cleanup on {@link Exception}, so an {@code Error} leaves the disk exactly as a killed
 * process would, and the test then reopens the same root.
 */
@FunctionalInterface
public interface FaultHook {
  FaultHook NONE = point -> {};

  void reached(CrashPoint point);
}
