package dev.finch.soci.daemon;

import dev.finch.soci.sys.Errno;
import dev.finch.soci.sys.LibC;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Unmounts the stale FUSE and bind mounts a killed daemon leaves under {@code snapshots/}: tries
 * {@code MNT_FORCE} first (aborts a dead FUSE connection) and falls back to {@code MNT_DETACH}
 * (lazy) when the mount is busy.
 */
final class Umount {
  private Umount() {}

  /**
   * Unmounts {@code target}. Returns quietly when it is no longer a mount point.
   *
   * @throws IOException with the errno when both attempts fail
   */
  static void force(Path target) throws IOException {
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
