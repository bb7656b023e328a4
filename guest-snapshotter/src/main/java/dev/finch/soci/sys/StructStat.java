package dev.finch.soci.sys;

/**
 * Offsets of {@code struct stat} on Linux x86_64 (glibc). {@link #DEV}, {@link #INO} and {@link
 * #BLOCKS} are also those of aarch64's generic layout, which is all {@link LibC#lstat} reads; the
 * other fields are written for FUSE replies ({@link FuseStructs}), x86_64 only.
 */
final class StructStat {
  private StructStat() {}

  /** {@code sizeof(struct stat)} on x86_64. */
  static final long SIZE = 144;

  static final long DEV = 0;
  static final long INO = 8;
  static final long NLINK = 16;
  static final long MODE = 24;
  static final long UID = 28;
  static final long GID = 32;
  static final long RDEV = 40;
  static final long SIZE_FIELD = 48;
  static final long BLKSIZE = 56;
  static final long BLOCKS = 64;
  static final long ATIM = 72;
  static final long MTIM = 88;
  static final long CTIM = 104;
}
