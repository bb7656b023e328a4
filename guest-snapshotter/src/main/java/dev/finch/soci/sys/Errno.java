package dev.finch.soci.sys;

/** Linux errno values (asm-generic/errno-base.h, errno.h), the same on x86_64 and aarch64. */
public final class Errno {
  private Errno() {}

  public static final int ENOENT = 2;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int EBUSY = 16;
  public static final int ENOTDIR = 20;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int EROFS = 30;
  public static final int ERANGE = 34;
  public static final int ENOSYS = 38;
  public static final int ENODATA = 61;
}
