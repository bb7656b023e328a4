package dev.finch.soci.daemon;

import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.ContainerdException;
import dev.finch.soci.containerd.SnapshotClient;
import dev.finch.soci.snapshot.SnapshotLabels;
import java.nio.file.Path;
import java.util.Map;

/**
 * The client half of the daemon's second warm-up: remote-layer Prepare cycles over a throwaway
 * Snapshots server that {@link Wiring} starts beside the real one (its own root and socket, a
 * preparer that answers Remote without mounting). Each cycle is what a lazy pull costs per layer: a
 * Prepare with a target label, answered ALREADY_EXISTS once the snapshotter has committed the
 * target, then a Stat of the target (and a Remove, to keep the throwaway store small).
 *
 * <p>A pull of an image of 30 layers makes about 60 such calls, too few for the JIT: run cold, the
 * gRPC client and server stacks, the metadata store and the error mapping take about three times as
 * long per call as once compiled (a Stat over the socket: about 4 ms cold, 1.1 ms after 400 calls).
 * A few hundred cycles at start compile them before a container waits on them; the rpull handed off
 * to the daemon uses the same client classes.
 */
final class SnapshotPathWarmup {
  /** Cycles run at most: enough for C1 to compile what runs once per call. */
  static final int CYCLES = 300;

  /** Wall-clock budget: the warm-up stops early rather than compete with a pull for long. */
  static final long BUDGET_NANOS = 3_000_000_000L;

  private SnapshotPathWarmup() {}

  /**
   * Runs up to {@code cycles} cycles against the Snapshots server on {@code socket}, stopping at
   * the budget or when the thread is interrupted; answers how many completed.
   *
   * @throws ContainerdException if a call fails otherwise than the cycle expects
   */
  static int exercise(Path socket, int cycles, long budgetNanos) {
    long deadline = System.nanoTime() + budgetNanos;
    int done = 0;
    try (ContainerdClient c = ContainerdClient.connect(socket, "warmup")) {
      SnapshotClient s = c.snapshots("soci");
      for (int i = 0; i < cycles; i++) {
        if (Thread.currentThread().isInterrupted() || System.nanoTime() > deadline) {
          break;
        }
        String target = "warmup-target-" + i;
        try {
          s.prepare(
              "warmup-extract-" + i + " " + target,
              "",
              Map.of(SnapshotLabels.TARGET_SNAPSHOT_REF, target));
          throw new IllegalStateException("the warm-up Prepare of " + target + " was not remote");
        } catch (ContainerdException e) {
          if (!e.is(ContainerdException.Kind.ALREADY_EXISTS)) {
            throw e;
          }
        }
        s.stat(target);
        s.remove(target);
        done++;
      }
    }
    return done;
  }
}
