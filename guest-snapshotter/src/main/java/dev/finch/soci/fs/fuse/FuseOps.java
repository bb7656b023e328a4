package dev.finch.soci.fs.fuse;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.finch.soci.fs.Directory;
import dev.finch.soci.fs.FileContent;
import dev.finch.soci.fs.LayerNode;
import dev.finch.soci.fs.LayerTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * The low-level FUSE operations of one mounted layer. libfuse calls each method on its session-loop
 * thread through an FFM upcall stub. Metadata operations are answered inline from the in-memory
 * {@link LayerTree}; {@code read} is handed to a virtual thread (bounded by a semaphore) because
 * {@link FileContent} may block on the network, and replies from there. No method ever lets an exception
 * escape into native code: every failure becomes an errno reply, {@code EIO} for content failures.
 */
@SuppressWarnings("restricted") // upcall stubs and C strings/structs handed over by libfuse
final class FuseOps {
  private static final System.Logger LOG = System.getLogger(FuseOps.class.getName());
  private static final int O_ACCMODE = 3;
  private static final int EROFS = 30;
  /**
   * Scratch size for readdir names. Linux caps a name at NAME_MAX (255) bytes, so longer names from a tar
   * could never be looked up; readdir skips names that do not even fit here.
   */
  private static final int MAX_NAME_BYTES = 4096;

  private final LayerTree tree;
  private final FileContent content;
  private final double attrTimeout;
  private final double entryTimeout;
  private final double negativeTimeout;
  private final MemorySegment statfsPath;
  private final ExecutorService readers;
  private final Semaphore readPermits;

  FuseOps(LayerTree tree, FileContent content, MountOptions options, MemorySegment statfsPath,
      ExecutorService readers) {
    this.tree = tree;
    this.content = content;
    this.attrTimeout = MountOptions.seconds(options.attrTimeout());
    this.entryTimeout = MountOptions.seconds(options.entryTimeout());
    this.negativeTimeout = MountOptions.seconds(options.negativeTimeout());
    this.statfsPath = statfsPath;
    this.readers = readers;
    this.readPermits = new Semaphore(options.maxConcurrentReads());
  }

  /** Builds a {@code struct fuse_lowlevel_ops} whose slots point at upcall stubs living in {@code arena}. */
  MemorySegment table(Arena arena) throws ReflectiveOperationException {
    MemorySegment ops = arena.allocate(ADDRESS.byteSize() * LibFuse.OPS_SLOTS);
    bind(ops, arena, LibFuse.OP_LOOKUP, "lookup", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
    bind(ops, arena, LibFuse.OP_GETATTR, "getattr", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
    bind(ops, arena, LibFuse.OP_READLINK, "readlink", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
    bind(ops, arena, LibFuse.OP_OPEN, "open", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
    bind(ops, arena, LibFuse.OP_READ, "read",
        FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
    bind(ops, arena, LibFuse.OP_RELEASE, "release", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
    bind(ops, arena, LibFuse.OP_READDIR, "readdir",
        FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
    bind(ops, arena, LibFuse.OP_STATFS, "statfs", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
    bind(ops, arena, LibFuse.OP_GETXATTR, "getxattr",
        FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
    bind(ops, arena, LibFuse.OP_LISTXATTR, "listxattr", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG));
    return ops;
  }

  private void bind(MemorySegment ops, Arena arena, int slot, String method, FunctionDescriptor fd)
      throws ReflectiveOperationException {
    MethodHandle mh = MethodHandles.lookup().findVirtual(FuseOps.class, method, fd.toMethodType()).bindTo(this);
    ops.setAtIndex(ADDRESS, slot, LibFuse.LINKER.upcallStub(mh, fd, arena));
  }

  void lookup(MemorySegment req, long parent, MemorySegment name) {
    try {
      LayerNode p = tree.node(parent);
      if (!(p instanceof Directory dir)) {
        replyErr(req, p == null ? Errno.ENOENT : Errno.ENOTDIR);
        return;
      }
      LayerNode child = dir.child(cString(name));
      if (child == null && negativeTimeout <= 0) {
        replyErr(req, Errno.ENOENT);
        return;
      }
      try (Arena a = Arena.ofConfined()) {
        MemorySegment e = a.allocate(Structs.ENTRY_SIZE);
        if (child == null) {
          Structs.writeEntry(e, null, 0, negativeTimeout);
        } else {
          Structs.writeEntry(e, child, attrTimeout, entryTimeout);
        }
        int rc = (int) LibFuse.REPLY_ENTRY.invokeExact(req, e);
      }
    } catch (Throwable t) {
      fail(req, "lookup", t);
    }
  }

  void getattr(MemorySegment req, long ino, MemorySegment fi) {
    try {
      LayerNode n = tree.node(ino);
      if (n == null) {
        replyErr(req, Errno.ENOENT);
        return;
      }
      try (Arena a = Arena.ofConfined()) {
        MemorySegment st = a.allocate(Structs.STAT_SIZE);
        Structs.writeStat(st, 0, n);
        int rc = (int) LibFuse.REPLY_ATTR.invokeExact(req, st, attrTimeout);
      }
    } catch (Throwable t) {
      fail(req, "getattr", t);
    }
  }

  void readlink(MemorySegment req, long ino) {
    try {
      if (!(tree.node(ino) instanceof LayerNode.Symlink link)) {
        replyErr(req, tree.node(ino) == null ? Errno.ENOENT : Errno.EINVAL);
        return;
      }
      try (Arena a = Arena.ofConfined()) {
        int rc = (int) LibFuse.REPLY_READLINK.invokeExact(req, a.allocateFrom(link.target()));
      }
    } catch (Throwable t) {
      fail(req, "readlink", t);
    }
  }

  void open(MemorySegment req, long ino, MemorySegment fi) {
    try {
      LayerNode n = tree.node(ino);
      if (n == null) {
        replyErr(req, Errno.ENOENT);
        return;
      }
      if (n instanceof Directory) {
        replyErr(req, Errno.EISDIR);
        return;
      }
      MemorySegment info = fi.reinterpret(Long.BYTES);
      if ((info.get(JAVA_INT, 0) & O_ACCMODE) != 0) {
        replyErr(req, EROFS);
        return;
      }
      Structs.setKeepCache(fi);
      int rc = (int) LibFuse.REPLY_OPEN.invokeExact(req, fi);
    } catch (Throwable t) {
      fail(req, "open", t);
    }
  }

  void read(MemorySegment req, long ino, long size, long off, MemorySegment fi) {
    try {
      LayerNode n = tree.node(ino);
      if (!(n instanceof LayerNode.RegularFile file)) {
        replyErr(req, n == null ? Errno.ENOENT : n instanceof Directory ? Errno.EISDIR : Errno.EINVAL);
        return;
      }
      long len = Math.min(size, file.size() - off);
      if (off < 0 || len <= 0) {
        int rc = (int) LibFuse.REPLY_BUF.invokeExact(req, MemorySegment.NULL, 0L);
        return;
      }
      readPermits.acquire();
      try {
        readers.execute(() -> serveRead(req, file, off, (int) len));
      } catch (RejectedExecutionException e) {
        readPermits.release();
        throw e;
      }
    } catch (Throwable t) {
      fail(req, "read", t);
    }
  }

  private void serveRead(MemorySegment req, LayerNode.RegularFile file, long off, int len) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(len);
      ByteBuffer bb = buf.asByteBuffer();
      while (bb.hasRemaining()) {
        int n = content.read(file, off + bb.position(), bb);
        if (n <= 0) {
          throw new IOException("file content ended at " + (off + bb.position()) + " of inode " + file.inode()
              + " (size " + file.size() + ")");
        }
      }
      int rc = (int) LibFuse.REPLY_BUF.invokeExact(req, buf, (long) len);
    } catch (Throwable t) {
      fail(req, "read", t);
    } finally {
      readPermits.release();
    }
  }

  void release(MemorySegment req, long ino, MemorySegment fi) {
    replyErr(req, 0);
  }

  void readdir(MemorySegment req, long ino, long size, long off, MemorySegment fi) {
    try {
      LayerNode n = tree.node(ino);
      if (!(n instanceof Directory dir)) {
        replyErr(req, n == null ? Errno.ENOENT : Errno.ENOTDIR);
        return;
      }
      try (Arena a = Arena.ofConfined()) {
        MemorySegment buf = a.allocate(Math.max(size, 1));
        MemorySegment st = a.allocate(Structs.STAT_SIZE);
        MemorySegment cname = a.allocate(MAX_NAME_BYTES + 1);
        long used = 0;
        long total = 2L + dir.childCount();
        for (long i = Math.max(off, 0); i < total; i++) {
          String name;
          long childIno;
          int mode;
          if (i < 2) {
            name = i == 0 ? "." : "..";
            childIno = i == 0 ? dir.inode() : dir.parentInode();
            mode = LayerNode.S_IFDIR;
          } else {
            LayerNode c = dir.child((int) (i - 2));
            name = dir.childName((int) (i - 2));
            childIno = c.inode();
            mode = c.mode();
          }
          Structs.writeDirentStat(st, childIno, mode);
          byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
          if (nameBytes.length > MAX_NAME_BYTES) {
            continue;
          }
          MemorySegment.copy(MemorySegment.ofArray(nameBytes), 0, cname, 0, nameBytes.length);
          cname.set(ValueLayout.JAVA_BYTE, nameBytes.length, (byte) 0);
          long need = (long) LibFuse.ADD_DIRENTRY.invokeExact(req, buf.asSlice(used), size - used, cname, st, i + 1);
          if (need > size - used) {
            break;
          }
          used += need;
        }
        int rc = (int) LibFuse.REPLY_BUF.invokeExact(req, buf, used);
      }
    } catch (Throwable t) {
      fail(req, "readdir", t);
    }
  }

  void statfs(MemorySegment req, long ino) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(Structs.STATVFS_SIZE);
      MemorySegment state = a.allocate(LibFuse.CALL_STATE);
      int res = (int) LibFuse.STATVFS.invokeExact(state, statfsPath, out);
      if (res != 0) {
        replyErr(req, LibFuse.errno(state));
        return;
      }
      int rc = (int) LibFuse.REPLY_STATFS.invokeExact(req, out);
    } catch (Throwable t) {
      fail(req, "statfs", t);
    }
  }

  void getxattr(MemorySegment req, long ino, MemorySegment name, long size) {
    try {
      LayerNode n = tree.node(ino);
      if (n == null) {
        replyErr(req, Errno.ENOENT);
        return;
      }
      String value = n.attributes().xattrs().get(cString(name));
      if (value == null) {
        replyErr(req, Errno.ENODATA);
        return;
      }
      replyXattr(req, value.getBytes(StandardCharsets.UTF_8), size);
    } catch (Throwable t) {
      fail(req, "getxattr", t);
    }
  }

  void listxattr(MemorySegment req, long ino, long size) {
    try {
      LayerNode n = tree.node(ino);
      if (n == null) {
        replyErr(req, Errno.ENOENT);
        return;
      }
      ByteArrayOutputStream names = new ByteArrayOutputStream();
      for (String k : n.attributes().xattrs().keySet()) {
        names.writeBytes(k.getBytes(StandardCharsets.UTF_8));
        names.write(0);
      }
      replyXattr(req, names.toByteArray(), size);
    } catch (Throwable t) {
      fail(req, "listxattr", t);
    }
  }

  /** The xattr size protocol: size 0 asks for the length, a too-small buffer is ERANGE. */
  private static void replyXattr(MemorySegment req, byte[] value, long size) throws Throwable {
    if (size == 0) {
      int rc = (int) LibFuse.REPLY_XATTR.invokeExact(req, (long) value.length);
    } else if (size < value.length) {
      replyErr(req, Errno.ERANGE);
    } else {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment buf = a.allocate(Math.max(value.length, 1));
        MemorySegment.copy(MemorySegment.ofArray(value), 0, buf, 0, value.length);
        int rc = (int) LibFuse.REPLY_BUF.invokeExact(req, buf, (long) value.length);
      }
    }
  }

  private static String cString(MemorySegment s) {
    return s.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
  }

  private static void replyErr(MemorySegment req, int errno) {
    try {
      int rc = (int) LibFuse.REPLY_ERR.invokeExact(req, errno);
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.ERROR, "fuse_reply_err failed", t);
    }
  }

  private static void fail(MemorySegment req, String op, Throwable t) {
    if (t instanceof IOException) {
      LOG.log(System.Logger.Level.WARNING, () -> "FUSE " + op + " failed, replying EIO: " + t);
    } else {
      LOG.log(System.Logger.Level.ERROR, () -> "FUSE " + op + " failed unexpectedly, replying EIO: " + t, t);
    }
    if (t instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    replyErr(req, Errno.EIO);
  }
}
