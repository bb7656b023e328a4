package dev.finch.soci.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The C structs exchanged with libfuse on Linux x86_64 (glibc): {@code struct stat}, {@code struct
 * fuse_entry_param} and {@code struct fuse_args}. Writers expect zeroed segments (as {@link
 * Arena#allocate} returns) and set only the fields a read-only file system reports.
 */
@SuppressWarnings("restricted") // sizing struct pointers handed over by libfuse
public final class FuseStructs {
  private FuseStructs() {}

  /** {@code sizeof(struct stat)}. */
  public static final long STAT_SIZE = StructStat.SIZE;

  /** {@code sizeof(struct fuse_entry_param)}: ino, generation, struct stat, two doubles. */
  public static final long ENTRY_SIZE = 16 + STAT_SIZE + 16;

  private static final long ENTRY_INO = 0;

  /** Where {@code struct fuse_entry_param} holds its {@code struct stat}. */
  public static final long ENTRY_ATTR_OFFSET = 16;

  private static final long ENTRY_ATTR = ENTRY_ATTR_OFFSET;
  private static final long ENTRY_ATTR_TIMEOUT = ENTRY_ATTR + STAT_SIZE;
  private static final long ENTRY_ENTRY_TIMEOUT = ENTRY_ATTR_TIMEOUT + 8;

  /** {@code sizeof(struct fuse_args)}: {@code int argc; char **argv; int allocated;}. */
  private static final long ARGS_SIZE = 24;

  private static final long ARGS_ARGC = 0;
  private static final long ARGS_ARGV = 8;

  /**
   * The attributes of one node as {@code struct stat} carries them; atime, mtime and ctime are all
   * {@code time}.
   */
  public record Attr(
      long ino,
      long nlink,
      int mode,
      int uid,
      int gid,
      long rdev,
      long size,
      long blksize,
      long blocks,
      long timeSeconds,
      int timeNanos) {}

  /** Fills a zeroed {@code struct stat} at {@code offset} of {@code seg}. */
  public static void writeStat(MemorySegment seg, long offset, Attr a) {
    seg.set(JAVA_LONG, offset + StructStat.INO, a.ino());
    seg.set(JAVA_LONG, offset + StructStat.NLINK, a.nlink());
    seg.set(JAVA_INT, offset + StructStat.MODE, a.mode());
    seg.set(JAVA_INT, offset + StructStat.UID, a.uid());
    seg.set(JAVA_INT, offset + StructStat.GID, a.gid());
    seg.set(JAVA_LONG, offset + StructStat.RDEV, a.rdev());
    seg.set(JAVA_LONG, offset + StructStat.SIZE_FIELD, a.size());
    seg.set(JAVA_LONG, offset + StructStat.BLKSIZE, a.blksize());
    seg.set(JAVA_LONG, offset + StructStat.BLOCKS, a.blocks());
    for (long at : new long[] {StructStat.ATIM, StructStat.MTIM, StructStat.CTIM}) {
      seg.set(JAVA_LONG, offset + at, a.timeSeconds());
      seg.set(JAVA_LONG, offset + at + 8, a.timeNanos());
    }
  }

  /** Writes only what {@code fuse_add_direntry} reads: inode and type bits. */
  public static void writeDirentStat(MemorySegment seg, long inode, int mode) {
    seg.set(JAVA_LONG, StructStat.INO, inode);
    seg.set(JAVA_INT, StructStat.MODE, mode);
  }

  /** Fills a zeroed {@code struct fuse_entry_param}; a null {@code attr} is a negative entry. */
  public static void writeEntry(
      MemorySegment seg, Attr attr, double attrTimeout, double entryTimeout) {
    if (attr != null) {
      seg.set(JAVA_LONG, ENTRY_INO, attr.ino());
      writeStat(seg, ENTRY_ATTR, attr);
    }
    seg.set(JAVA_DOUBLE, ENTRY_ATTR_TIMEOUT, attrTimeout);
    seg.set(JAVA_DOUBLE, ENTRY_ENTRY_TIMEOUT, entryTimeout);
  }

  /** A {@code struct fuse_args} for {@code argv}, everything allocated in {@code arena}. */
  static MemorySegment args(Arena arena, List<String> argv) {
    MemorySegment array = arena.allocate(ADDRESS, argv.size() + 1L);
    for (int i = 0; i < argv.size(); i++) {
      array.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
    }
    MemorySegment args = arena.allocate(ARGS_SIZE);
    args.set(JAVA_INT, ARGS_ARGC, argv.size());
    args.set(ADDRESS, ARGS_ARGV, array);
    return args;
  }
}
