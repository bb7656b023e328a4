package dev.finch.soci.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * zlib's inflate API ({@code libz.so.1}, {@code zlib.h}) and the {@code z_stream} fields a caller
 * drives it with. The caller owns the {@code z_stream} ({@link #Z_STREAM_SIZE} bytes, zeroed) and
 * the buffers; the calls return zlib's codes unchecked. Loading fails with {@link
 * ExceptionInInitializerError} when the library is missing or not zlib 1.x.
 */
@SuppressWarnings("restricted") // reading the C strings zlib returns
public final class LibZ {
  private LibZ() {}

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

  /** {@code sizeof(z_stream)} on x86_64 / aarch64 Linux (LP64). */
  public static final int Z_STREAM_SIZE = 112;

  private static final long OFF_NEXT_IN = 0;
  private static final long OFF_AVAIL_IN = 8;
  private static final long OFF_NEXT_OUT = 24;
  private static final long OFF_AVAIL_OUT = 32;
  private static final long OFF_MSG = 48;
  private static final long OFF_DATA_TYPE = 88;

  private static final String LIBRARY = "libz.so.1";
  private static final MethodHandle INFLATE_INIT2;
  private static final MethodHandle INFLATE;
  private static final MethodHandle INFLATE_RESET2;
  private static final MethodHandle INFLATE_PRIME;
  private static final MethodHandle INFLATE_SET_DICTIONARY;
  private static final MethodHandle INFLATE_END;
  private static final String VERSION;

  /**
   * The version {@code inflateInit2_} checks against the library's, as zlib.h's macro passes it.
   */
  private static final MemorySegment VERSION_C;

  static {
    SymbolLookup zlib = Native.library(LIBRARY);
    FunctionDescriptor intPtrInt = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
    INFLATE_INIT2 =
        handle(
            zlib,
            "inflateInit2_",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    INFLATE = handle(zlib, "inflate", intPtrInt);
    INFLATE_RESET2 = handle(zlib, "inflateReset2", intPtrInt);
    INFLATE_PRIME =
        handle(zlib, "inflatePrime", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    INFLATE_SET_DICTIONARY =
        handle(
            zlib,
            "inflateSetDictionary",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    INFLATE_END = handle(zlib, "inflateEnd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    MethodHandle version = handle(zlib, "zlibVersion", FunctionDescriptor.of(ADDRESS));
    try {
      MemorySegment p = (MemorySegment) version.invokeExact();
      VERSION = p.reinterpret(64).getString(0);
    } catch (Throwable t) {
      throw new ExceptionInInitializerError(t);
    }
    if (!VERSION.startsWith("1.")) {
      throw new ExceptionInInitializerError("unsupported zlib: expected 1.x, got " + VERSION);
    }
    VERSION_C = Arena.global().allocateFrom(VERSION);
  }

  private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor fd) {
    if (lookup.find(name).isEmpty()) {
      throw new ExceptionInInitializerError(LIBRARY + " lacks " + name);
    }
    return Native.downcall(lookup, name, fd);
  }

  /** The zlib version string reported by the loaded library. */
  public static String version() {
    return VERSION;
  }

  /** {@code inflateInit2(strm, windowBits)}. */
  public static int inflateInit2(MemorySegment strm, int windowBits) {
    try {
      return (int) INFLATE_INIT2.invokeExact(strm, windowBits, VERSION_C, Z_STREAM_SIZE);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code inflate(strm, flush)}. */
  public static int inflate(MemorySegment strm, int flush) {
    try {
      return (int) INFLATE.invokeExact(strm, flush);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code inflateReset2(strm, windowBits)}. */
  public static int inflateReset2(MemorySegment strm, int windowBits) {
    try {
      return (int) INFLATE_RESET2.invokeExact(strm, windowBits);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code inflatePrime(strm, bits, value)}. */
  public static int inflatePrime(MemorySegment strm, int bits, int value) {
    try {
      return (int) INFLATE_PRIME.invokeExact(strm, bits, value);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code inflateSetDictionary(strm, dictionary, length)}; {@code dictionary} must be native. */
  public static int inflateSetDictionary(MemorySegment strm, MemorySegment dictionary, int length) {
    try {
      return (int) INFLATE_SET_DICTIONARY.invokeExact(strm, dictionary, length);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code inflateEnd(strm)}. */
  public static int inflateEnd(MemorySegment strm) {
    try {
      return (int) INFLATE_END.invokeExact(strm);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Sets {@code next_in}/{@code avail_in} to the first {@code len} bytes of {@code buf}. */
  public static void setInput(MemorySegment strm, MemorySegment buf, int len) {
    strm.set(ADDRESS, OFF_NEXT_IN, buf);
    strm.set(JAVA_INT, OFF_AVAIL_IN, len);
  }

  /** Sets {@code next_out}/{@code avail_out} to the first {@code len} bytes of {@code buf}. */
  public static void setOutput(MemorySegment strm, MemorySegment buf, int len) {
    strm.set(ADDRESS, OFF_NEXT_OUT, buf);
    strm.set(JAVA_INT, OFF_AVAIL_OUT, len);
  }

  /** {@code avail_in}. */
  public static int availIn(MemorySegment strm) {
    return strm.get(JAVA_INT, OFF_AVAIL_IN);
  }

  /** {@code avail_out}. */
  public static int availOut(MemorySegment strm) {
    return strm.get(JAVA_INT, OFF_AVAIL_OUT);
  }

  /** {@code data_type}: unused bits (0..7), +64 after the last block, +128 at a block boundary. */
  public static int dataType(MemorySegment strm) {
    return strm.get(JAVA_INT, OFF_DATA_TYPE);
  }

  /** {@code msg}, zlib's last error message, or the empty string. */
  public static String message(MemorySegment strm) {
    MemorySegment msg = strm.get(ADDRESS, OFF_MSG);
    return msg.equals(MemorySegment.NULL) ? "" : msg.reinterpret(256).getString(0);
  }
}
