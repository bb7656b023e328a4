package dev.finch.soci.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The libc calls Java has no API for: {@code umount2(2)}, a read-only bind {@code mount(2)}, {@code
 * statvfs(3)} into a struct that is handed on to libfuse, and {@code lstat(2)} for {@code
 * st_blocks}. Each returns errno (captured right after the call) rather than deciding what a
 * failure means; callers do that.
 */
public final class LibC {
  private LibC() {}

  /** {@code umount2} flag: abort a FUSE connection before unmounting. */
  public static final int MNT_FORCE = 1;

  /** {@code umount2} flag: lazy unmount, detached now and finished when no longer busy. */
  public static final int MNT_DETACH = 2;

  /** {@code mount} flags: read-only, remount, bind. */
  private static final long MS_RDONLY = 1;

  private static final long MS_REMOUNT = 32;
  private static final long MS_BIND = 4096;

  /** {@code sizeof(struct statvfs)} on LP64 glibc. */
  public static final long STATVFS_SIZE = 112;

  /** Room for {@code struct stat} on every LP64 Linux (144 bytes on x86_64, 128 on aarch64). */
  private static final long STAT_BUFFER = 256;

  private static final FunctionDescriptor INT_PTR_PTR =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
  private static final MethodHandle UMOUNT2 =
      Native.downcall(
          Native.libc(),
          "umount2",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
          Native.ERRNO_OPTION);
  private static final MethodHandle MOUNT =
      Native.downcall(
          Native.libc(),
          "mount",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS),
          Native.ERRNO_OPTION);
  private static final MethodHandle STATVFS =
      Native.downcall(Native.libc(), "statvfs", INT_PTR_PTR, Native.ERRNO_OPTION);
  private static final MethodHandle LSTAT =
      Native.downcall(Native.libc(), "lstat", INT_PTR_PTR, Native.ERRNO_OPTION);

  /** {@code umount2(target, flags)}: 0 on success, else the errno. */
  public static int umount2(String target, int flags) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(Native.CALL_STATE);
      int rc = (int) UMOUNT2.invokeExact(state, a.allocateFrom(target), flags);
      return rc == 0 ? 0 : Native.errno(state);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Bind-mounts directory {@code source} on {@code target}, on top of whatever is mounted there,
   * and makes the bind read-only (a second {@code mount} call, as the kernel ignores {@code
   * MS_RDONLY} on the first). If the second call fails the bind is taken away again.
   *
   * @throws IOException with the errno when a call fails
   */
  public static void bindReadOnly(Path source, Path target) throws IOException {
    int rc = mount(source.toString(), target.toString(), MS_BIND);
    if (rc != 0) {
      throw new IOException("bind mount of " + source + " on " + target + ": errno " + rc);
    }
    rc = mount(source.toString(), target.toString(), MS_BIND | MS_REMOUNT | MS_RDONLY);
    if (rc != 0) {
      umount2(target.toString(), MNT_DETACH);
      throw new IOException("read-only remount of " + target + ": errno " + rc);
    }
  }

  private static int mount(String source, String target, long flags) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(Native.CALL_STATE);
      int rc =
          (int)
              MOUNT.invokeExact(
                  state,
                  a.allocateFrom(source),
                  a.allocateFrom(target),
                  MemorySegment.NULL,
                  flags,
                  MemorySegment.NULL);
      return rc == 0 ? 0 : Native.errno(state);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@code statvfs(path, out)} with {@code path} a C string and {@code out} at least {@link
   * #STATVFS_SIZE} bytes: 0 on success, else the errno.
   */
  public static int statvfs(MemorySegment path, MemorySegment out) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(Native.CALL_STATE);
      int rc = (int) STATVFS.invokeExact(state, path, out);
      return rc == 0 ? 0 : Native.errno(state);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** The fields of {@code struct stat} that disk usage needs. */
  public record FileStat(long dev, long ino, long blocks) {}

  /**
   * {@code lstat(2)} of {@code path} (symlinks not followed).
   *
   * @throws IOException with the errno when the call fails
   */
  public static FileStat lstat(Path path) throws IOException {
    int rc;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment st = a.allocate(STAT_BUFFER, 8);
      MemorySegment state = a.allocate(Native.CALL_STATE);
      rc = (int) LSTAT.invokeExact(state, a.allocateFrom(path.toString()), st);
      if (rc == 0) {
        return new FileStat(
            st.get(JAVA_LONG, StructStat.DEV),
            st.get(JAVA_LONG, StructStat.INO),
            st.get(JAVA_LONG, StructStat.BLOCKS));
      }
      rc = Native.errno(state);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
    throw new IOException("lstat " + path + " failed: errno " + rc);
  }
}
