package dev.finch.soci.snapshot.overlay;

import dev.finch.soci.snapshot.overlay.storage.CrashPoint;
import dev.finch.soci.snapshot.overlay.storage.FaultHook;

/**
 * A {@link FaultHook} that "kills the process" at the n-th time a crash point is reached by
 * throwing {@link SimulatedCrash}, an {@link Error} that production code never catches, so no
 * failure cleanup runs and the disk stays as a crash would leave it.
 */
final class CrashSimulator implements FaultHook {
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(CrashPoint p) {
      super("simulated crash at " + p);
    }
  }

  private CrashPoint point;
  private int remaining;
  private boolean crashed;

  /** Crash on the {@code nth} (1-based) arrival at {@code p} from now on. */
  void arm(CrashPoint p, int nth) {
    point = p;
    remaining = nth;
  }

  void disarm() {
    point = null;
  }

  boolean crashed() {
    return crashed;
  }

  @Override
  public void reached(CrashPoint p) {
    if (p == point && --remaining == 0) {
      crashed = true;
      point = null;
      throw new SimulatedCrash(p);
    }
  }
}
