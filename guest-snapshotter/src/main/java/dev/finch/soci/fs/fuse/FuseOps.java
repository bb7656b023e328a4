package dev.finch.soci.fs.fuse;

import dev.finch.soci.fs.Directory;
import dev.finch.soci.fs.EntryNames;
import dev.finch.soci.fs.FileContent;
import dev.finch.soci.fs.LayerNode;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.sys.Errno;
import dev.finch.soci.sys.FuseLowLevelOps;
import dev.finch.soci.sys.FuseStructs;
import dev.finch.soci.sys.LibC;
import dev.finch.soci.sys.LibFuse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * The low-level FUSE operations of one mounted layer. libfuse calls each method on its session-loop
 * thread through an upcall stub ({@link LibFuse#sessionNew}). Metadata operations are answered
 * inline from the in-memory {@link LayerTree}; {@code read} is handed to a virtual thread (bounded
 * by a semaphore) because {@link FileContent} may block on the network, and replies from there. No
 * method ever lets an exception escape into native code: every failure becomes an errno reply,
 * {@code EIO} for content failures.
 */
final class FuseOps implements FuseLowLevelOps {
  private static final System.Logger LOG = System.getLogger(FuseOps.class.getName());

  /** st_blksize reported for every node, as soci ({@code blockSize = 4096}). */
  private static final long BLOCK_SIZE = 4096;

  /**
   * Scratch size for readdir names: the kernel's limit, which the tree already enforces (it leaves
   * out longer names, since they could be listed but never looked up).
   */
  private static final int MAX_NAME_BYTES = EntryNames.NAME_MAX;

  private final LayerTree tree;
  private final FileContent content;
  private final double attrTimeout;
  private final double entryTimeout;
  private final double negativeTimeout;
  private final MemorySegment statfsPath;
  private final ExecutorService readers;
  private final Semaphore readPermits;

  /**
   * Reads being served, by the number their interrupt callback carries. The kernel interrupts a
   * read whose process got a signal; the reader's wait then ends with EINTR, so a container can be
   * stopped while its read waits on the registry (the fetch itself goes on for the next reader).
   */
  private final java.util.concurrent.ConcurrentHashMap<Long, Reading> reading =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final java.util.concurrent.atomic.AtomicLong readIds =
      new java.util.concurrent.atomic.AtomicLong();
  private final MemorySegment onInterrupt;

  /** The session loop thread's buffer for warm reads (only that thread uses it). */
  private MemorySegment loopBuffer = MemorySegment.NULL;

  /** Requests served, by kind: what reached the daemon rather than the kernel's caches. */
  final RequestCounts counts = new RequestCounts();

  /** One read in service: the thread serving it, and whether the kernel interrupted it. */
  private static final class Reading {
    volatile Thread thread;
    volatile boolean interrupted;
  }

  FuseOps(
      LayerTree tree,
      FileContent content,
      MountOptions options,
      MemorySegment statfsPath,
      ExecutorService readers,
      java.lang.foreign.Arena arena) {
    this.onInterrupt = LibFuse.interruptCallback(arena, this::interrupted);
    this.tree = tree;
    this.content = content;
    this.attrTimeout = MountOptions.seconds(options.attrTimeout());
    this.entryTimeout = MountOptions.seconds(options.entryTimeout());
    this.negativeTimeout = MountOptions.seconds(options.negativeTimeout());
    this.statfsPath = statfsPath;
    this.readers = readers;
    this.readPermits = new Semaphore(options.maxConcurrentReads());
  }

  @Override
  public void lookup(MemorySegment req, long parent, MemorySegment name) {
    counts.lookup.increment();
    try {
      LayerNode p = tree.node(parent);
      if (!(p instanceof Directory dir)) {
        replyErr(req, p == null ? Errno.ENOENT : Errno.ENOTDIR);
        return;
      }
      LayerNode child = dir.child(LibFuse.cString(name));
      if (child == null && negativeTimeout <= 0) {
        replyErr(req, Errno.ENOENT);
        return;
      }
      try (Arena a = Arena.ofConfined()) {
        MemorySegment e = a.allocate(FuseStructs.ENTRY_SIZE);
        if (child == null) {
          FuseStructs.writeEntry(e, null, 0, negativeTimeout);
        } else {
          FuseStructs.writeEntry(e, attr(child), attrTimeout, entryTimeout);
        }
        LibFuse.replyEntry(req, e);
      }
    } catch (Throwable t) {
      fail(req, "lookup", t);
    }
  }

  @Override
  public void getattr(MemorySegment req, long ino, MemorySegment fi) {
    counts.getattr.increment();
    try {
      LayerNode n = tree.node(ino);
      if (n == null) {
        replyErr(req, Errno.ENOENT);
        return;
      }
      try (Arena a = Arena.ofConfined()) {
        MemorySegment st = a.allocate(FuseStructs.STAT_SIZE);
        FuseStructs.writeStat(st, 0, attr(n));
        LibFuse.replyAttr(req, st, attrTimeout);
      }
    } catch (Throwable t) {
      fail(req, "getattr", t);
    }
  }

  @Override
  public void readlink(MemorySegment req, long ino) {
    try {
      if (!(tree.node(ino) instanceof LayerNode.Symlink link)) {
        replyErr(req, tree.node(ino) == null ? Errno.ENOENT : Errno.EINVAL);
        return;
      }
      try (Arena a = Arena.ofConfined()) {
        LibFuse.replyReadlink(req, a.allocateFrom(link.target()));
      }
    } catch (Throwable t) {
      fail(req, "readlink", t);
    }
  }

  /**
   * Answers ENOSYS, which tells the kernel (FUSE_NO_OPEN_SUPPORT, Linux 3.16+) to stop sending OPEN
   * and RELEASE for this mount and to treat every open as {@code keep_cache}: a layer never
   * changes, there is no per-open state to keep, and a program that opens 50,000 small files then
   * pays one round trip per file (the READ) instead of three. Opening for writing fails in the VFS
   * already (the mount is {@code ro}).
   */
  @Override
  public void open(MemorySegment req, long ino, MemorySegment fi) {
    counts.open.increment();
    replyErr(req, Errno.ENOSYS);
  }

  @Override
  public void read(MemorySegment req, long ino, long size, long off, MemorySegment fi) {
    counts.read.increment();
    try {
      LayerNode n = tree.node(ino);
      if (!(n instanceof LayerNode.RegularFile file)) {
        replyErr(
            req, n == null ? Errno.ENOENT : n instanceof Directory ? Errno.EISDIR : Errno.EINVAL);
        return;
      }
      long len = Math.min(size, file.size() - off);
      if (off < 0 || len <= 0) {
        LibFuse.replyBuf(req, MemorySegment.NULL, 0);
        return;
      }
      if (readLocal(req, file, off, (int) len)) {
        return;
      }
      readPermits.acquire();
      long id = readIds.incrementAndGet();
      Reading r = new Reading();
      reading.put(id, r);
      try {
        LibFuse.reqInterruptFunc(req, onInterrupt, id);
        readers.execute(() -> serveRead(req, file, off, (int) len, id, r));
      } catch (RuntimeException e) {
        reading.remove(id);
        readPermits.release();
        throw e;
      }
    } catch (Throwable t) {
      fail(req, "read", t);
    }
  }

  // On the session loop thread: serves the read at once when its bytes are local (a warm read),
  // sparing the hand-over to a reader thread; false if it has to wait for them.
  private boolean readLocal(MemorySegment req, LayerNode.RegularFile file, long off, int len)
      throws IOException {
    if (loopBuffer.byteSize() < len) {
      loopBuffer = Arena.ofAuto().allocate(len);
    }
    if (!content.readIfLocal(file, off, loopBuffer.asSlice(0, len).asByteBuffer())) {
      return false;
    }
    LibFuse.replyBuf(req, loopBuffer, len);
    return true;
  }

  // On the session loop thread: the kernel interrupted read `id`.
  private void interrupted(long id) {
    Reading r = reading.get(id);
    if (r != null) {
      r.interrupted = true;
      Thread t = r.thread;
      if (t != null) {
        t.interrupt();
      }
    }
  }

  private void serveRead(
      MemorySegment req, LayerNode.RegularFile file, long off, int len, long id, Reading r) {
    r.thread = Thread.currentThread();
    try (Arena a = Arena.ofConfined()) {
      if (r.interrupted) {
        throw new java.io.InterruptedIOException("read interrupted before it started");
      }
      MemorySegment buf = a.allocate(len);
      ByteBuffer bb = buf.asByteBuffer();
      while (bb.hasRemaining()) {
        int n = content.read(file, off + bb.position(), bb);
        if (n <= 0) {
          throw new IOException(
              "file content ended at "
                  + (off + bb.position())
                  + " of inode "
                  + file.inode()
                  + " (size "
                  + file.size()
                  + ")");
        }
      }
      reading.remove(id);
      LibFuse.replyBuf(req, buf, len);
    } catch (Throwable t) {
      reading.remove(id);
      if (r.interrupted) {
        // the process that asked has a signal to handle; nobody reads this answer
        replyErr(req, Errno.EINTR);
      } else {
        fail(req, "read", t);
      }
    } finally {
      readPermits.release();
    }
  }

  @Override
  public void release(MemorySegment req, long ino, MemorySegment fi) {
    replyErr(req, 0);
  }

  /**
   * Answers ENOSYS: as for {@link #open}, the kernel then stops sending OPENDIR and RELEASEDIR and
   * keeps each directory's listing in its cache (FOPEN_CACHE_DIR), so a second walk of a tree never
   * reaches the daemon.
   */
  @Override
  public void opendir(MemorySegment req, long ino, MemorySegment fi) {
    counts.open.increment();
    replyErr(req, Errno.ENOSYS);
  }

  @Override
  public void readdir(MemorySegment req, long ino, long size, long off, MemorySegment fi) {
    list(req, ino, size, off, false);
  }

  @Override
  public void readdirplus(MemorySegment req, long ino, long size, long off, MemorySegment fi) {
    list(req, ino, size, off, true);
  }

  /**
   * One batch of a directory listing from entry {@code off} on: {@code .}, {@code ..}, then the
   * children in tree order; with {@code plus}, each with its attributes (readdirplus), so that a
   * walk of the tree needs no lookup per name.
   */
  private void list(MemorySegment req, long ino, long size, long off, boolean plus) {
    String op = plus ? "readdirplus" : "readdir";
    (plus ? counts.readdirplus : counts.readdir).increment();
    try {
      LayerNode n = tree.node(ino);
      if (!(n instanceof Directory dir)) {
        replyErr(req, n == null ? Errno.ENOENT : Errno.ENOTDIR);
        return;
      }
      try (Arena a = Arena.ofConfined()) {
        MemorySegment buf = a.allocate(Math.max(size, 1));
        MemorySegment st = a.allocate(plus ? FuseStructs.ENTRY_SIZE : FuseStructs.STAT_SIZE);
        MemorySegment cname = a.allocate(MAX_NAME_BYTES + 1);
        long used = 0;
        long total = 2L + dir.childCount();
        for (long i = Math.max(off, 0); i < total; i++) {
          String name;
          LayerNode child = null;
          long childIno;
          int mode;
          if (i < 2) {
            name = i == 0 ? "." : "..";
            childIno = i == 0 ? dir.inode() : dir.parentInode();
            mode = LayerNode.S_IFDIR;
          } else {
            child = dir.child((int) (i - 2));
            name = dir.childName((int) (i - 2));
            childIno = child.inode();
            mode = child.mode();
          }
          byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
          if (nameBytes.length > MAX_NAME_BYTES) {
            continue;
          }
          MemorySegment.copy(MemorySegment.ofArray(nameBytes), 0, cname, 0, nameBytes.length);
          cname.set(ValueLayout.JAVA_BYTE, nameBytes.length, (byte) 0);
          long need;
          if (plus) {
            st.fill((byte) 0);
            if (child != null) {
              FuseStructs.writeEntry(st, attr(child), attrTimeout, entryTimeout);
            } else {
              // "." and "..": libfuse passes only the type and inode; the kernel looks them up
              // itself and does not count them
              FuseStructs.writeDirentStat(
                  st.asSlice(FuseStructs.ENTRY_ATTR_OFFSET), childIno, mode);
            }
            need = LibFuse.addDirentryPlus(req, buf.asSlice(used), size - used, cname, st, i + 1);
          } else {
            FuseStructs.writeDirentStat(st, childIno, mode);
            need = LibFuse.addDirentry(req, buf.asSlice(used), size - used, cname, st, i + 1);
          }
          if (need > size - used) {
            break;
          }
          used += need;
        }
        LibFuse.replyBuf(req, buf, used);
      }
    } catch (Throwable t) {
      fail(req, op, t);
    }
  }

  @Override
  public void statfs(MemorySegment req, long ino) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(LibC.STATVFS_SIZE);
      int errno = LibC.statvfs(statfsPath, out);
      if (errno != 0) {
        replyErr(req, errno);
        return;
      }
      LibFuse.replyStatfs(req, out);
    } catch (Throwable t) {
      fail(req, "statfs", t);
    }
  }

  @Override
  public void getxattr(MemorySegment req, long ino, MemorySegment name, long size) {
    try {
      LayerNode n = tree.node(ino);
      if (n == null) {
        replyErr(req, Errno.ENOENT);
        return;
      }
      String value = n.attributes().xattrs().get(LibFuse.cString(name));
      if (value == null) {
        replyErr(req, Errno.ENODATA);
        return;
      }
      replyXattr(req, value.getBytes(StandardCharsets.UTF_8), size);
    } catch (Throwable t) {
      fail(req, "getxattr", t);
    }
  }

  @Override
  public void listxattr(MemorySegment req, long ino, long size) {
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
  private static void replyXattr(MemorySegment req, byte[] value, long size) {
    if (size == 0) {
      LibFuse.replyXattr(req, value.length);
    } else if (size < value.length) {
      replyErr(req, Errno.ERANGE);
    } else {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment buf = a.allocate(Math.max(value.length, 1));
        MemorySegment.copy(MemorySegment.ofArray(value), 0, buf, 0, value.length);
        LibFuse.replyBuf(req, buf, value.length);
      }
    }
  }

  /** The {@code struct stat} of {@code node}: soci's block size, 512-byte blocks, one time. */
  private static FuseStructs.Attr attr(LayerNode node) {
    long size = node.size();
    Instant t = node.attributes().modTime();
    return new FuseStructs.Attr(
        node.inode(),
        node.attributes().nlink(),
        node.mode(),
        node.attributes().uid(),
        node.attributes().gid(),
        node.rdev(),
        size,
        BLOCK_SIZE,
        (size + 511) / 512,
        t.getEpochSecond(),
        t.getNano());
  }

  private static void replyErr(MemorySegment req, int errno) {
    try {
      LibFuse.replyErr(req, errno);
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.ERROR, "fuse_reply_err failed", t);
    }
  }

  private static void fail(MemorySegment req, String op, Throwable t) {
    if (t instanceof IOException) {
      LOG.log(System.Logger.Level.WARNING, () -> "FUSE " + op + " failed, replying EIO: " + t);
    } else {
      LOG.log(
          System.Logger.Level.ERROR,
          () -> "FUSE " + op + " failed unexpectedly, replying EIO: " + t,
          t);
    }
    if (t instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    replyErr(req, Errno.EIO);
  }
}
