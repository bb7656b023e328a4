package dev.finch.soci.fs.fuse;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.finch.soci.fs.LayerNode;
import java.lang.foreign.MemorySegment;
import java.time.Instant;

/**
 * Offsets of the C structs exchanged with libfuse on Linux x86_64 (glibc): {@code struct stat},
 * {@code struct fuse_entry_param}, {@code struct fuse_file_info}, {@code struct statvfs},
 * {@code struct fuse_args}.
 */
@SuppressWarnings("restricted") // sizing struct pointers handed over by libfuse
final class Structs {
  private Structs() {}

  /** {@code sizeof(struct stat)}. */
  static final long STAT_SIZE = 144;
  private static final long ST_INO = 8;
  private static final long ST_NLINK = 16;
  private static final long ST_MODE = 24;
  private static final long ST_UID = 28;
  private static final long ST_GID = 32;
  private static final long ST_RDEV = 40;
  private static final long ST_SIZE = 48;
  private static final long ST_BLKSIZE = 56;
  private static final long ST_BLOCKS = 64;
  private static final long ST_ATIM = 72;
  private static final long ST_MTIM = 88;
  private static final long ST_CTIM = 104;

  /** {@code sizeof(struct fuse_entry_param)}: ino, generation, struct stat, two doubles. */
  static final long ENTRY_SIZE = 16 + STAT_SIZE + 16;
  private static final long ENTRY_INO = 0;
  private static final long ENTRY_ATTR = 16;
  private static final long ENTRY_ATTR_TIMEOUT = ENTRY_ATTR + STAT_SIZE;
  private static final long ENTRY_ENTRY_TIMEOUT = ENTRY_ATTR_TIMEOUT + 8;

  /** {@code struct fuse_file_info}: {@code int flags} then a bitfield word; keep_cache is bit 2. */
  private static final long FI_BITS = 4;
  private static final int FI_KEEP_CACHE = 1 << 2;

  /** {@code sizeof(struct statvfs)}. */
  static final long STATVFS_SIZE = 112;

  /** {@code sizeof(struct fuse_args)}: {@code int argc; char **argv; int allocated;}. */
  static final long ARGS_SIZE = 24;
  static final long ARGS_ARGC = 0;
  static final long ARGS_ARGV = 8;

  /** st_blksize reported for every node, as soci ({@code blockSize = 4096}). */
  static final long BLOCK_SIZE = 4096;

  /** Fills a zeroed {@code struct stat} at {@code seg} from {@code node}. */
  static void writeStat(MemorySegment seg, long offset, LayerNode node) {
    seg.set(JAVA_LONG, offset + ST_INO, node.inode());
    seg.set(JAVA_LONG, offset + ST_NLINK, node.attributes().nlink());
    seg.set(JAVA_INT, offset + ST_MODE, node.mode());
    seg.set(JAVA_INT, offset + ST_UID, node.attributes().uid());
    seg.set(JAVA_INT, offset + ST_GID, node.attributes().gid());
    seg.set(JAVA_LONG, offset + ST_RDEV, node.rdev());
    long size = node.size();
    seg.set(JAVA_LONG, offset + ST_SIZE, size);
    seg.set(JAVA_LONG, offset + ST_BLKSIZE, BLOCK_SIZE);
    seg.set(JAVA_LONG, offset + ST_BLOCKS, (size + 511) / 512);
    Instant t = node.attributes().modTime();
    for (long at : new long[] {ST_ATIM, ST_MTIM, ST_CTIM}) {
      seg.set(JAVA_LONG, offset + at, t.getEpochSecond());
      seg.set(JAVA_LONG, offset + at + 8, t.getNano());
    }
  }

  /** Writes only what {@code fuse_add_direntry} reads: inode and type bits. */
  static void writeDirentStat(MemorySegment seg, long inode, int mode) {
    seg.set(JAVA_LONG, ST_INO, inode);
    seg.set(JAVA_INT, ST_MODE, mode);
  }

  /** Fills a zeroed {@code struct fuse_entry_param}; {@code node == null} is a negative entry (ino 0). */
  static void writeEntry(MemorySegment seg, LayerNode node, double attrTimeout, double entryTimeout) {
    if (node != null) {
      seg.set(JAVA_LONG, ENTRY_INO, node.inode());
      writeStat(seg, ENTRY_ATTR, node);
    }
    seg.set(JAVA_DOUBLE, ENTRY_ATTR_TIMEOUT, attrTimeout);
    seg.set(JAVA_DOUBLE, ENTRY_ENTRY_TIMEOUT, entryTimeout);
  }

  /** Sets {@code keep_cache} in a {@code struct fuse_file_info}, keeping the other bits. */
  static void setKeepCache(MemorySegment fi) {
    MemorySegment f = fi.reinterpret(FI_BITS + 4);
    f.set(JAVA_INT, FI_BITS, f.get(JAVA_INT, FI_BITS) | FI_KEEP_CACHE);
  }
}
