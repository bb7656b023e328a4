package dev.finch.soci.ztoc.compression;

import dev.finch.soci.sys.LibZ;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One zlib inflate stream ({@link LibZ}): owns the {@code z_stream} and checks zlib's return codes
 * where only {@code Z_OK} is acceptable.
 *
 * <p>Why native zlib: byte-identical SOCI checkpoints need {@code inflate(Z_BLOCK)} stops, the
 * {@code data_type} bit offset and {@code inflatePrime}, none of which {@link
 * java.util.zip.Inflater} exposes. The caller owns the input and output buffers (native segments,
 * usually large so that the per-call overhead stays negligible); this class only tracks the {@code
 * z_stream} fields. Not thread-safe; close it to release the zlib state and its arena.
 */
public final class NativeInflater implements AutoCloseable {
  private final Arena arena;
  private final MemorySegment strm;
  private boolean open;

  /** Opens a stream with {@code inflateInit2(windowBits)}. */
  public NativeInflater(int windowBits) {
    arena = Arena.ofConfined();
    strm = arena.allocate(LibZ.Z_STREAM_SIZE, 8);
    int ret;
    try {
      ret = LibZ.inflateInit2(strm, windowBits);
    } catch (RuntimeException | Error e) {
      arena.close();
      throw e;
    }
    if (ret != LibZ.Z_OK) {
      arena.close();
      throw new IllegalStateException("inflateInit2_: expected Z_OK, got " + ret);
    }
    open = true;
  }

  /** The arena that owns this stream; callers may allocate their buffers from it. */
  public Arena arena() {
    return arena;
  }

  /** Sets {@code next_in}/{@code avail_in} to {@code [offset, offset+len)} of a native segment. */
  public void setInput(MemorySegment buf, long offset, int len) {
    LibZ.setInput(strm, buf.asSlice(offset, len), len);
  }

  /**
   * Sets {@code next_out}/{@code avail_out} to {@code [offset, offset+len)} of a native segment.
   */
  public void setOutput(MemorySegment buf, long offset, int len) {
    LibZ.setOutput(strm, buf.asSlice(offset, len), len);
  }

  public int availIn() {
    return LibZ.availIn(strm);
  }

  public int availOut() {
    return LibZ.availOut(strm);
  }

  /** zlib's {@code data_type}: unused bits (0..7), +64 after the last block, +128 at a boundary. */
  public int dataType() {
    return LibZ.dataType(strm);
  }

  /** Calls {@code inflate(strm, flush)} and returns zlib's return code. */
  public int inflate(int flush) {
    return LibZ.inflate(strm, flush);
  }

  /** Calls {@code inflateReset2}, keeping buffers; used between gzip members. */
  public void reset(int windowBits) {
    check("inflateReset2", LibZ.inflateReset2(strm, windowBits));
  }

  /** Calls {@code inflatePrime(bits, value)} to start mid-byte. */
  public void prime(int bits, int value) {
    check("inflatePrime", LibZ.inflatePrime(strm, bits, value));
  }

  /**
   * {@code inflateSetDictionary} (raw streams accept it at any time before data) with the bytes of
   * {@code dictionary}, wherever they live: a native or mapped segment is passed as it is.
   */
  public void setDictionary(MemorySegment dictionary) {
    int ret;
    try (Arena tmp = Arena.ofConfined()) {
      MemorySegment dict =
          dictionary.isNative()
              ? dictionary
              : tmp.allocate(dictionary.byteSize()).copyFrom(dictionary);
      ret = LibZ.inflateSetDictionary(strm, dict, (int) dictionary.byteSize());
    }
    check("inflateSetDictionary", ret);
  }

  /** zlib's last error message, or the empty string. */
  public String message() {
    return LibZ.message(strm);
  }

  private static void check(String call, int ret) {
    if (ret != LibZ.Z_OK) {
      throw new IllegalStateException(call + ": expected Z_OK, got " + ret);
    }
  }

  @Override
  public void close() {
    if (open) {
      open = false;
      try {
        int ignored = LibZ.inflateEnd(strm);
      } finally {
        arena.close();
      }
    }
  }
}
