package dev.finch.soci.ztoc.compression;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * One zlib inflate stream driven through the FFM API ({@code libz.so.1}).
 *
 * <p>Why native zlib: byte-identical SOCI checkpoints need {@code inflate(Z_BLOCK)} stops, the
 * {@code data_type} bit offset and {@code inflatePrime}, none of which {@link java.util.zip.Inflater}
 * exposes. The caller owns the input and output buffers (native segments, usually large so that
 * the per-call overhead stays negligible); this class only tracks the {@code z_stream} fields.
 * Not thread-safe; close it to release the zlib state and its arena. Uses restricted FFM methods
 * (library lookup, downcalls, reinterpreting zlib's C strings), hence native access must be
 * enabled for this code ({@code --enable-native-access=ALL-UNNAMED}).
 */
@SuppressWarnings("restricted")
public final class NativeInflater implements AutoCloseable {
  /** {@code flush} argument: inflate as much as possible. */
  public static final int Z_NO_FLUSH = 0;
  /** {@code flush} argument: stop at every deflate block boundary. */
  public static final int Z_BLOCK = 5;
  public static final int Z_OK = 0;
  public static final int Z_STREAM_END = 1;
  public static final int Z_NEED_DICT = 2;
  public static final int Z_BUF_ERROR = -5;
  /** windowBits selecting automatic gzip/zlib header detection with a 32 KiB window. */
  public static final int WINDOW_BITS_AUTO = 47;
  /** windowBits selecting raw deflate with a 32 KiB window. */
  public static final int WINDOW_BITS_RAW = -15;

  /** sizeof(z_stream) on x86_64 / aarch64 Linux (LP64). */
  static final int Z_STREAM_SIZE = 112;

  private static final long OFF_NEXT_IN = 0;
  private static final long OFF_AVAIL_IN = 8;
  private static final long OFF_NEXT_OUT = 24;
  private static final long OFF_AVAIL_OUT = 32;
  private static final long OFF_MSG = 48;
  private static final long OFF_DATA_TYPE = 88;

  private static final MethodHandle INFLATE_INIT2;
  private static final MethodHandle INFLATE;
  private static final MethodHandle INFLATE_RESET2;
  private static final MethodHandle INFLATE_PRIME;
  private static final MethodHandle INFLATE_SET_DICTIONARY;
  private static final MethodHandle INFLATE_END;
  private static final String VERSION;

  static {
    Linker linker = Linker.nativeLinker();
    SymbolLookup zlib = SymbolLookup.libraryLookup("libz.so.1", Arena.global());
    ValueLayout.OfInt i = ValueLayout.JAVA_INT;
    ValueLayout a = ValueLayout.ADDRESS;
    INFLATE_INIT2 = handle(linker, zlib, "inflateInit2_", FunctionDescriptor.of(i, a, i, a, i));
    INFLATE = handle(linker, zlib, "inflate", FunctionDescriptor.of(i, a, i));
    INFLATE_RESET2 = handle(linker, zlib, "inflateReset2", FunctionDescriptor.of(i, a, i));
    INFLATE_PRIME = handle(linker, zlib, "inflatePrime", FunctionDescriptor.of(i, a, i, i));
    INFLATE_SET_DICTIONARY =
        handle(linker, zlib, "inflateSetDictionary", FunctionDescriptor.of(i, a, a, i));
    INFLATE_END = handle(linker, zlib, "inflateEnd", FunctionDescriptor.of(i, a));
    MethodHandle version = handle(linker, zlib, "zlibVersion", FunctionDescriptor.of(a));
    try {
      MemorySegment p = (MemorySegment) version.invokeExact();
      VERSION = p.reinterpret(64).getString(0);
    } catch (Throwable t) {
      throw new ExceptionInInitializerError(t);
    }
    if (!VERSION.startsWith("1.")) {
      throw new ExceptionInInitializerError("unsupported zlib: expected 1.x, got " + VERSION);
    }
  }

  private static MethodHandle handle(
      Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd) {
    MemorySegment symbol =
        lookup
            .find(name)
            .orElseThrow(() -> new ExceptionInInitializerError("libz.so.1 lacks " + name));
    return linker.downcallHandle(symbol, fd);
  }

  private final Arena arena;
  private final MemorySegment strm;
  private boolean open;

  /** Opens a stream with {@code inflateInit2(windowBits)}. */
  public NativeInflater(int windowBits) {
    arena = Arena.ofConfined();
    strm = arena.allocate(Z_STREAM_SIZE, 8);
    MemorySegment version = arena.allocateFrom(VERSION);
    int ret;
    try {
      ret = (int) INFLATE_INIT2.invokeExact(strm, windowBits, version, Z_STREAM_SIZE);
    } catch (Throwable t) {
      arena.close();
      throw new IllegalStateException("inflateInit2_ failed", t);
    }
    if (ret != Z_OK) {
      arena.close();
      throw new IllegalStateException("inflateInit2_: expected Z_OK, got " + ret);
    }
    open = true;
  }

  /** The zlib version string reported by the loaded library. */
  public static String zlibVersion() {
    return VERSION;
  }

  /** The arena that owns this stream; callers may allocate their buffers from it. */
  public Arena arena() {
    return arena;
  }

  /** Sets {@code next_in}/{@code avail_in} to {@code [offset, offset+len)} of a native segment. */
  public void setInput(MemorySegment buf, long offset, int len) {
    strm.set(ValueLayout.ADDRESS, OFF_NEXT_IN, buf.asSlice(offset, len));
    strm.set(ValueLayout.JAVA_INT, OFF_AVAIL_IN, len);
  }

  /** Sets {@code next_out}/{@code avail_out} to {@code [offset, offset+len)} of a native segment. */
  public void setOutput(MemorySegment buf, long offset, int len) {
    strm.set(ValueLayout.ADDRESS, OFF_NEXT_OUT, buf.asSlice(offset, len));
    strm.set(ValueLayout.JAVA_INT, OFF_AVAIL_OUT, len);
  }

  public int availIn() {
    return strm.get(ValueLayout.JAVA_INT, OFF_AVAIL_IN);
  }

  public int availOut() {
    return strm.get(ValueLayout.JAVA_INT, OFF_AVAIL_OUT);
  }

  /** zlib's {@code data_type}: unused bits (0..7), +64 after the last block, +128 at a block boundary. */
  public int dataType() {
    return strm.get(ValueLayout.JAVA_INT, OFF_DATA_TYPE);
  }

  /** Calls {@code inflate(strm, flush)} and returns zlib's return code. */
  public int inflate(int flush) {
    try {
      return (int) INFLATE.invokeExact(strm, flush);
    } catch (Throwable t) {
      throw new IllegalStateException("inflate failed", t);
    }
  }

  /** Calls {@code inflateReset2}, keeping buffers; used between gzip members. */
  public void reset(int windowBits) {
    check("inflateReset2", invoke2(INFLATE_RESET2, windowBits));
  }

  /** Calls {@code inflatePrime(bits, value)} to start mid-byte. */
  public void prime(int bits, int value) {
    int ret;
    try {
      ret = (int) INFLATE_PRIME.invokeExact(strm, bits, value);
    } catch (Throwable t) {
      throw new IllegalStateException("inflatePrime failed", t);
    }
    check("inflatePrime", ret);
  }

  /**
   * {@code inflateSetDictionary} (raw streams accept it at any time before data) with the bytes of
   * {@code dictionary}, wherever they live: a native or mapped segment is passed as it is.
   */
  public void setDictionary(MemorySegment dictionary) {
    int ret;
    try (Arena tmp = Arena.ofConfined()) {
      MemorySegment dict = dictionary.isNative() ? dictionary : tmp.allocate(dictionary.byteSize()).copyFrom(dictionary);
      ret = (int) INFLATE_SET_DICTIONARY.invokeExact(strm, dict, (int) dictionary.byteSize());
    } catch (Throwable t) {
      throw new IllegalStateException("inflateSetDictionary failed", t);
    }
    check("inflateSetDictionary", ret);
  }


  /** zlib's last error message, or the empty string. */
  public String message() {
    MemorySegment msg = strm.get(ValueLayout.ADDRESS, OFF_MSG);
    return msg.equals(MemorySegment.NULL) ? "" : msg.reinterpret(256).getString(0);
  }

  private int invoke2(MethodHandle h, int arg) {
    try {
      return (int) h.invokeExact(strm, arg);
    } catch (Throwable t) {
      throw new IllegalStateException("zlib call failed", t);
    }
  }

  private static void check(String call, int ret) {
    if (ret != Z_OK) {
      throw new IllegalStateException(call + ": expected Z_OK, got " + ret);
    }
  }

  @Override
  public void close() {
    if (open) {
      open = false;
      try {
        int ignored = (int) INFLATE_END.invokeExact(strm);
      } catch (Throwable t) {
        throw new IllegalStateException("inflateEnd failed", t);
      } finally {
        arena.close();
      }
    }
  }
}
