package dev.finch.soci.sys;

import java.lang.foreign.MemorySegment;

/**
 * The operations of libfuse3's {@code struct fuse_lowlevel_ops} that a read-only filesystem serves,
 * with their C signatures: {@code req} is the {@code fuse_req_t} every reply takes, {@code fi} a
 * {@code struct fuse_file_info *}, names are C strings ({@link LibFuse#cString}). {@link
 * LibFuse#sessionNew} makes an upcall stub for each one; the other slots stay NULL (libfuse answers
 * ENOSYS).
 *
 * <p>Each method is called on libfuse's session-loop thread and must reply exactly once, there or
 * later from another thread. It must never throw: an exception escaping an upcall ends the JVM.
 */
public interface FuseLowLevelOps {
  /** {@code lookup(req, parent, name)}: reply with {@code fuse_reply_entry} or an error. */
  void lookup(MemorySegment req, long parent, MemorySegment name);

  /** {@code getattr(req, ino, fi)}: reply with {@code fuse_reply_attr} or an error. */
  void getattr(MemorySegment req, long ino, MemorySegment fi);

  /** {@code readlink(req, ino)}: reply with {@code fuse_reply_readlink} or an error. */
  void readlink(MemorySegment req, long ino);

  /** {@code open(req, ino, fi)}: reply with {@code fuse_reply_open} or an error. */
  void open(MemorySegment req, long ino, MemorySegment fi);

  /** {@code read(req, ino, size, off, fi)}: reply with {@code fuse_reply_buf} or an error. */
  void read(MemorySegment req, long ino, long size, long off, MemorySegment fi);

  /** {@code release(req, ino, fi)}: reply with error 0. */
  void release(MemorySegment req, long ino, MemorySegment fi);

  /** {@code opendir(req, ino, fi)}: reply with {@code fuse_reply_open} or an error. */
  void opendir(MemorySegment req, long ino, MemorySegment fi);

  /** {@code readdir(req, ino, size, off, fi)}: reply with {@link LibFuse#addDirentry} entries. */
  void readdir(MemorySegment req, long ino, long size, long off, MemorySegment fi);

  /**
   * {@code readdirplus(req, ino, size, off, fi)}: reply with {@link LibFuse#addDirentryPlus}
   * entries, each carrying the child's attributes as a lookup would (the kernel counts them as
   * lookups, except {@code .} and {@code ..}).
   */
  void readdirplus(MemorySegment req, long ino, long size, long off, MemorySegment fi);

  /** {@code statfs(req, ino)}: reply with {@code fuse_reply_statfs} or an error. */
  void statfs(MemorySegment req, long ino);

  /** {@code getxattr(req, ino, name, size)}: reply with a size, the value, or an error. */
  void getxattr(MemorySegment req, long ino, MemorySegment name, long size);

  /** {@code listxattr(req, ino, size)}: reply with a size, the NUL-separated names, or an error. */
  void listxattr(MemorySegment req, long ino, long size);
}
