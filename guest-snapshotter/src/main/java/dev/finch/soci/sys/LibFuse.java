package dev.finch.soci.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * libfuse3's low-level API ({@code fuse_lowlevel.h}, libfuse 3.x ABI on Linux x86_64): the session
 * calls, the replies, and the {@code struct fuse_lowlevel_ops} table of upcall stubs into a {@link
 * FuseLowLevelOps}. Loaded on first use; a missing {@link #LIBRARY} surfaces as {@link
 * ExceptionInInitializerError}. Replies return 0 or -errno (e.g. -ENOENT when the request was
 * interrupted), which a filesystem can only ignore.
 *
 * @see <a href="https://libfuse.github.io/doxygen/fuse__lowlevel_8h.html">fuse_lowlevel.h</a>
 */
@SuppressWarnings("restricted") // upcall stubs and the C strings libfuse hands over
public final class LibFuse {
  private LibFuse() {}

  /** The shared library bound here. */
  public static final String LIBRARY = "libfuse3.so.3";

  private static final SymbolLookup FUSE = Native.library(LIBRARY);

  // Session lifecycle.
  private static final MethodHandle SESSION_NEW =
      fuse(
          "fuse_session_new", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
  private static final MethodHandle SESSION_MOUNT =
      fuse("fuse_session_mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle SESSION_LOOP =
      fuse("fuse_session_loop", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle SESSION_DESTROY =
      fuse("fuse_session_destroy", FunctionDescriptor.ofVoid(ADDRESS));
  private static final MethodHandle OPT_FREE_ARGS =
      fuse("fuse_opt_free_args", FunctionDescriptor.ofVoid(ADDRESS));

  // Replies.
  private static final MethodHandle REPLY_ERR =
      fuse("fuse_reply_err", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle REPLY_ENTRY =
      fuse("fuse_reply_entry", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle REPLY_ATTR =
      fuse("fuse_reply_attr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_DOUBLE));
  private static final MethodHandle REPLY_READLINK =
      fuse("fuse_reply_readlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle REPLY_OPEN =
      fuse("fuse_reply_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle REPLY_BUF =
      fuse("fuse_reply_buf", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
  private static final MethodHandle REPLY_STATFS =
      fuse("fuse_reply_statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle REPLY_XATTR =
      fuse("fuse_reply_xattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle REQ_INTERRUPT_FUNC =
      fuse("fuse_req_interrupt_func", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
  private static final FunctionDescriptor INTERRUPT_CALLBACK =
      FunctionDescriptor.ofVoid(ADDRESS, ADDRESS);
  private static final MethodHandle ADD_DIRENTRY_PLUS =
      fuse(
          "fuse_add_direntry_plus",
          FunctionDescriptor.of(
              JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
  private static final MethodHandle ADD_DIRENTRY =
      fuse(
          "fuse_add_direntry",
          FunctionDescriptor.of(
              JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));

  /**
   * {@code struct fuse_lowlevel_ops} slots (pointer index) and the C signature of each operation
   * bound; the struct is passed with a size covering slots up to the last one, libfuse zero-fills
   * the rest.
   */
  private record Op(int slot, String method, FunctionDescriptor signature) {}

  private static final List<Op> OPS =
      List.of(
          new Op(2, "lookup", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS)),
          new Op(4, "getattr", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS)),
          new Op(6, "readlink", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG)),
          new Op(14, "open", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS)),
          new Op(
              15,
              "read",
              FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS)),
          new Op(18, "release", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS)),
          new Op(20, "opendir", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS)),
          new Op(
              21,
              "readdir",
              FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS)),
          new Op(24, "statfs", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG)),
          new Op(26, "getxattr", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG)),
          new Op(27, "listxattr", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG)),
          new Op(
              41,
              "readdirplus",
              FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS)));
  private static final int OPS_SLOTS = 42;

  private static MethodHandle fuse(String name, FunctionDescriptor fd) {
    return Native.downcall(FUSE, name, fd);
  }

  /**
   * {@code fuse_session_new} with command-line style {@code argv} (e.g. {@code soci-fuse -o
   * ro,...}) and {@code ops} as the operations. The upcall stubs live in {@code arena}, which must
   * outlive the session.
   *
   * @return the session, or {@link MemorySegment#NULL} when libfuse rejects the arguments
   */
  public static MemorySegment sessionNew(Arena arena, List<String> argv, FuseLowLevelOps ops) {
    MemorySegment table = arena.allocate(ADDRESS.byteSize() * OPS_SLOTS);
    for (Op op : OPS) {
      MethodHandle target;
      try {
        target =
            MethodHandles.publicLookup()
                .findVirtual(FuseLowLevelOps.class, op.method(), op.signature().toMethodType())
                .bindTo(ops);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(
            "FuseLowLevelOps." + op.method() + " does not match its C signature", e);
      }
      table.setAtIndex(ADDRESS, op.slot(), Native.LINKER.upcallStub(target, op.signature(), arena));
    }
    MemorySegment args = FuseStructs.args(arena, argv);
    try {
      MemorySegment se =
          (MemorySegment)
              SESSION_NEW.invokeExact(args, table, table.byteSize(), MemorySegment.NULL);
      OPT_FREE_ARGS.invokeExact(args);
      return se;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * A C function {@code void (*)(fuse_req_t req, void *data)} in {@code arena} that calls {@code
   * onInterrupt} with {@code data} as a number: for {@link #reqInterruptFunc}. libfuse calls it on
   * its session loop thread when the kernel interrupts a request (the reading process got a
   * signal). An exception from {@code onInterrupt} is dropped: it must not unwind into C.
   */
  public static MemorySegment interruptCallback(
      Arena arena, java.util.function.LongConsumer onInterrupt) {
    MethodHandle target;
    try {
      target =
          MethodHandles.lookup()
              .findVirtual(InterruptTarget.class, "call", INTERRUPT_CALLBACK.toMethodType())
              .bindTo(new InterruptTarget(onInterrupt));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("interrupt callback does not match its C signature", e);
    }
    return Native.LINKER.upcallStub(target, INTERRUPT_CALLBACK, arena);
  }

  private record InterruptTarget(java.util.function.LongConsumer onInterrupt) {
    @SuppressWarnings("unused") // called from C through the upcall stub
    void call(MemorySegment req, MemorySegment data) {
      try {
        onInterrupt.accept(data.address());
      } catch (Throwable ignored) {
        // never unwind into libfuse
      }
    }
  }

  /**
   * {@code fuse_req_interrupt_func(req, callback, data)}: asks libfuse to call {@code callback}
   * (from {@link #interruptCallback}) with {@code data} if the kernel interrupts {@code req}; at
   * once if it already has.
   */
  public static void reqInterruptFunc(MemorySegment req, MemorySegment callback, long data) {
    try {
      REQ_INTERRUPT_FUNC.invokeExact(req, callback, MemorySegment.ofAddress(data));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_session_mount(se, mountpoint)}: 0, or -1 after libfuse printed why on stderr. */
  public static int sessionMount(MemorySegment se, MemorySegment mountpoint) {
    try {
      return (int) SESSION_MOUNT.invokeExact(se, mountpoint);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_session_loop(se)}: serves requests until the file system is unmounted. */
  public static int sessionLoop(MemorySegment se) {
    try {
      return (int) SESSION_LOOP.invokeExact(se);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_session_destroy(se)}. */
  public static void sessionDestroy(MemorySegment se) {
    try {
      SESSION_DESTROY.invokeExact(se);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_reply_err(req, errno)}; errno 0 is the success reply of e.g. release. */
  public static int replyErr(MemorySegment req, int errno) {
    try {
      return (int) REPLY_ERR.invokeExact(req, errno);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_reply_entry(req, entry)} with a {@link FuseStructs#ENTRY_SIZE} struct. */
  public static int replyEntry(MemorySegment req, MemorySegment entry) {
    try {
      return (int) REPLY_ENTRY.invokeExact(req, entry);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_reply_attr(req, stat, timeout)} with a {@link FuseStructs#STAT_SIZE} struct. */
  public static int replyAttr(MemorySegment req, MemorySegment stat, double timeout) {
    try {
      return (int) REPLY_ATTR.invokeExact(req, stat, timeout);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_reply_readlink(req, target)} with a C string. */
  public static int replyReadlink(MemorySegment req, MemorySegment target) {
    try {
      return (int) REPLY_READLINK.invokeExact(req, target);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_reply_open(req, fi)}. */
  public static int replyOpen(MemorySegment req, MemorySegment fi) {
    try {
      return (int) REPLY_OPEN.invokeExact(req, fi);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_reply_buf(req, buf, size)}; {@code buf} may be NULL when {@code size} is 0. */
  public static int replyBuf(MemorySegment req, MemorySegment buf, long size) {
    try {
      return (int) REPLY_BUF.invokeExact(req, buf, size);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_reply_statfs(req, statvfs)} with a {@link LibC#statvfs} result. */
  public static int replyStatfs(MemorySegment req, MemorySegment statvfs) {
    try {
      return (int) REPLY_STATFS.invokeExact(req, statvfs);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fuse_reply_xattr(req, count)}: the size a getxattr/listxattr with size 0 asks for. */
  public static int replyXattr(MemorySegment req, long count) {
    try {
      return (int) REPLY_XATTR.invokeExact(req, count);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@code fuse_add_direntry(req, buf, bufsize, name, stat, off)}: appends one entry to a readdir
   * buffer and returns the bytes it needs, which exceed {@code bufsize} when it did not fit (and
   * nothing was written). {@code stat} needs only what {@link FuseStructs#writeDirentStat} sets.
   */
  public static long addDirentry(
      MemorySegment req,
      MemorySegment buf,
      long bufsize,
      MemorySegment name,
      MemorySegment stat,
      long off) {
    try {
      return (long) ADD_DIRENTRY.invokeExact(req, buf, bufsize, name, stat, off);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@code fuse_add_direntry_plus(req, buf, bufsize, name, entry, off)}: as {@link #addDirentry}
   * for a readdirplus buffer, with a whole {@link FuseStructs#ENTRY_SIZE} entry (attributes and
   * their timeouts) instead of a stat.
   */
  public static long addDirentryPlus(
      MemorySegment req,
      MemorySegment buf,
      long bufsize,
      MemorySegment name,
      MemorySegment entry,
      long off) {
    try {
      return (long) ADD_DIRENTRY_PLUS.invokeExact(req, buf, bufsize, name, entry, off);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** A NUL-terminated UTF-8 name libfuse handed to an operation, valid for that call only. */
  public static String cString(MemorySegment name) {
    return name.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
  }
}
