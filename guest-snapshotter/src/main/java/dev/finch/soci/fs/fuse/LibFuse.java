package dev.finch.soci.fs.fuse;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Downcall handles into libfuse3's low-level API ({@code fuse_lowlevel.h}, libfuse 3.x ABI on Linux
 * x86_64) and the two libc calls the mount needs. Loaded on first use; a missing {@code libfuse3.so.3}
 * surfaces as {@link ExceptionInInitializerError}, which {@link LayerMount} turns into an IOException.
 */
@SuppressWarnings("restricted") // this package is the one place allowed to call native code
final class LibFuse {
  private LibFuse() {}

  static final String LIBRARY = "libfuse3.so.3";

  static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup FUSE = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
  private static final SymbolLookup LIBC = LINKER.defaultLookup();

  /** Layout of the errno capture segment for calls made with {@code captureCallState("errno")}. */
  static final java.lang.foreign.StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

  // Session lifecycle.
  static final MethodHandle SESSION_NEW = fuse("fuse_session_new",
      FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
  static final MethodHandle SESSION_MOUNT = fuse("fuse_session_mount",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  static final MethodHandle SESSION_LOOP = fuse("fuse_session_loop", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  static final MethodHandle SESSION_UNMOUNT = fuse("fuse_session_unmount", FunctionDescriptor.ofVoid(ADDRESS));
  static final MethodHandle SESSION_DESTROY = fuse("fuse_session_destroy", FunctionDescriptor.ofVoid(ADDRESS));
  static final MethodHandle OPT_FREE_ARGS = fuse("fuse_opt_free_args", FunctionDescriptor.ofVoid(ADDRESS));

  // Replies. Each returns 0 or -errno (e.g. -ENOENT when the request was interrupted).
  static final MethodHandle REPLY_ERR = fuse("fuse_reply_err", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  static final MethodHandle REPLY_ENTRY = fuse("fuse_reply_entry",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  static final MethodHandle REPLY_ATTR = fuse("fuse_reply_attr",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_DOUBLE));
  static final MethodHandle REPLY_READLINK = fuse("fuse_reply_readlink",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  static final MethodHandle REPLY_OPEN = fuse("fuse_reply_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  static final MethodHandle REPLY_BUF = fuse("fuse_reply_buf",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
  static final MethodHandle REPLY_STATFS = fuse("fuse_reply_statfs",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  static final MethodHandle REPLY_XATTR = fuse("fuse_reply_xattr",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
  static final MethodHandle ADD_DIRENTRY = fuse("fuse_add_direntry",
      FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));

  // libc.
  static final MethodHandle UMOUNT2 = LINKER.downcallHandle(LIBC.findOrThrow("umount2"),
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.captureCallState("errno"));
  static final MethodHandle STATVFS = LINKER.downcallHandle(LIBC.findOrThrow("statvfs"),
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), Linker.Option.captureCallState("errno"));

  /** {@code umount2} flag: abort the FUSE connection before unmounting. */
  static final int MNT_FORCE = 1;
  /** {@code umount2} flag: lazy unmount. */
  static final int MNT_DETACH = 2;

  /**
   * {@code struct fuse_lowlevel_ops} slots (pointer index) this binding fills. The struct is passed with a
   * size covering slots up to {@link #OP_LISTXATTR}; libfuse zero-fills the rest.
   */
  static final int OP_LOOKUP = 2;
  static final int OP_GETATTR = 4;
  static final int OP_READLINK = 6;
  static final int OP_OPEN = 14;
  static final int OP_READ = 15;
  static final int OP_RELEASE = 18;
  static final int OP_READDIR = 21;
  static final int OP_STATFS = 24;
  static final int OP_GETXATTR = 26;
  static final int OP_LISTXATTR = 27;
  static final int OPS_SLOTS = OP_LISTXATTR + 1;

  /** The errno captured by a call made with a {@link #CALL_STATE} segment. */
  static int errno(MemorySegment callState) {
    return (int) ERRNO.get(callState, 0L);
  }

  private static MethodHandle fuse(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(FUSE.findOrThrow(name), fd);
  }
}
