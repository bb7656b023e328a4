package dev.finch.soci.sys;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Unmounts a FUSE or bind mount: tries {@code MNT_FORCE} first (it aborts the FUSE connection, so
 * requests still waiting on it fail at once instead of hanging) and falls back to {@code
 * MNT_DETACH} (lazy) when the mount is busy. Used for a layer's own unmount and for the stale
 * mounts a killed daemon leaves behind.
 */
public final class Umount {
  private Umount() {}

  /**
   * Unmounts {@code target}. Returns quietly when it is no longer a mount point.
   *
   * @throws IOException with the errno when both attempts fail
   */
  public static void force(Path target) throws IOException {
    int errno = LibC.umount2(target.toString(), LibC.MNT_FORCE);
    if (gone(errno)) {
      return;
    }
    int lazy = LibC.umount2(target.toString(), LibC.MNT_DETACH);
    if (!gone(lazy)) {
      throw new IOException(
          "umount " + target + ": errno " + errno + " (force), " + lazy + " (detach)");
    }
  }

  /** Unmounted now, or not a mount point (EINVAL) or not there at all (ENOENT). */
  private static boolean gone(int errno) {
    return errno == 0 || errno == Errno.EINVAL || errno == Errno.ENOENT;
  }
}
