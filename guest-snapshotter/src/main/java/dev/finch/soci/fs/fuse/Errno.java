package dev.finch.soci.fs.fuse;

/** Linux errno values the filesystem replies with (asm-generic/errno-base.h, errno.h). */
final class Errno {
  private Errno() {}

  static final int ENOENT = 2;
  static final int EIO = 5;
  static final int EINTR = 4;
  static final int EBUSY = 16;
  static final int ENOTDIR = 20;
  static final int EISDIR = 21;
  static final int EINVAL = 22;
  static final int ENOSYS = 38;
  static final int ERANGE = 34;
  static final int ENODATA = 61;
}
