package dev.finch.soci.ztoc.compression;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A place where inflation can restart: a deflate block boundary: {@code in}, the compressed offset
 * of the first full byte after the boundary; {@code out}, the uncompressed offset of the boundary;
 * {@code bits}, how many low bits of byte {@code in-1} belong to the next block (0..7); and the
 * window, the 32 KiB of output before {@code out}, oldest first, zero-filled if fewer.
 *
 * <p>The window is not copied in: it is the given array, or a 32 KiB slice of a parsed zinfo blob,
 * which may be a memory-mapped zTOC file (a zTOC of a large layer has thousands of windows, so
 * parsing one copies none of them, and a mapped window is read from disk only when its span is).
 * {@link #window()} hands out copies. Equality compares the values, wherever the window lives.
 */
public final class GzipCheckpoint {
  /** Deflate's maximum back-reference distance. */
  public static final int WINDOW_SIZE = 32768;

  private final long in;
  private final long out;
  private final int bits;
  private final MemorySegment window;

  public GzipCheckpoint(long in, long out, int bits, byte[] window) {
    this(in, out, bits, MemorySegment.ofArray(window), 0);
    if (window.length != WINDOW_SIZE) {
      throw new IllegalArgumentException(
          "checkpoint window: expected " + WINDOW_SIZE + " bytes, got " + window.length);
    }
  }

  /** A checkpoint whose window is {@code source[offset, offset + WINDOW_SIZE)}. */
  GzipCheckpoint(long in, long out, int bits, MemorySegment source, long offset) {
    if (bits < 0 || bits > 7) {
      throw new IllegalArgumentException("checkpoint bits: expected 0..7, got " + bits);
    }
    Objects.checkFromIndexSize(offset, WINDOW_SIZE, source.byteSize());
    this.in = in;
    this.out = out;
    this.bits = bits;
    this.window = source.asSlice(offset, WINDOW_SIZE);
  }

  public long in() {
    return in;
  }

  public long out() {
    return out;
  }

  public int bits() {
    return bits;
  }

  /** A copy of the window. */
  public byte[] window() {
    return window.toArray(ValueLayout.JAVA_BYTE);
  }

  /** Hands the window to zlib as the inflater's dictionary. */
  void setDictionaryOf(NativeInflater z) {
    z.setDictionary(window);
  }

  /** Appends the window to a zinfo blob being written. */
  void putWindow(java.nio.ByteBuffer bb) {
    bb.put(window.asByteBuffer());
  }

  /** First compressed byte of the span this checkpoint starts (one earlier when bits are set). */
  public long spanStart() {
    return in - (bits != 0 ? 1 : 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GzipCheckpoint c
        && in == c.in
        && out == c.out
        && bits == c.bits
        && window.mismatch(c.window) == -1;
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(in, out, bits);
    for (long i = 0; i < WINDOW_SIZE; i++) {
      h = 31 * h + window.get(ValueLayout.JAVA_BYTE, i);
    }
    return h;
  }

  @Override
  public String toString() {
    return "GzipCheckpoint[in=" + in + ", out=" + out + ", bits=" + bits + "]";
  }
}
