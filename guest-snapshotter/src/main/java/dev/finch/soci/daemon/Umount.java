package dev.finch.soci.daemon;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * {@code umount2(2)} through the FFM API, for the stale FUSE and bind mounts a killed daemon leaves
 * under {@code snapshots/}: tries {@code MNT_FORCE} first (aborts a dead FUSE connection) and falls
 * back to {@code MNT_DETACH} (lazy) when the mount is busy.
 */
final class Umount {
  private static final int MNT_FORCE = 1;
  private static final int MNT_DETACH = 2;
  private static final int EINVAL = 22;
  private static final int ENOENT = 2;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle UMOUNT2 = LINKER.downcallHandle(
      LINKER.defaultLookup().find("umount2").orElseThrow(),
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
      Linker.Option.captureCallState("errno"));

  private Umount() {}

  /**
   * Unmounts {@code target}. Returns quietly when it is no longer a mount point.
   *
   * @throws IOException with the errno when both attempts fail
   */
  static void force(Path target) throws IOException {
    int errno = call(target, MNT_FORCE);
    if (errno == 0 || errno == EINVAL || errno == ENOENT) {
      return;
    }
    int lazy = call(target, MNT_DETACH);
    if (lazy != 0 && lazy != EINVAL && lazy != ENOENT) {
      throw new IOException("umount " + target + ": errno " + errno + " (force), " + lazy + " (detach)");
    }
  }

  private static int call(Path target, int flags) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      MemorySegment path = arena.allocateFrom(target.toString());
      int rc = (int) UMOUNT2.invokeExact(state, path, flags);
      return rc == 0 ? 0 : (int) ERRNO.get(state, 0L);
    } catch (Throwable t) {
      if (t instanceof Error e) {
        throw e;
      }
      throw new IOException("umount2 " + target + ": " + t.getMessage(), t);
    }
  }
}
