package dev.finch.soci.ztoc.compression;

import java.util.Arrays;
import java.util.Objects;

/**
 * A place where inflation can restart: a deflate block boundary.
 *
 * @param in compressed offset of the first full byte after the boundary
 * @param out uncompressed offset of the boundary
 * @param bits how many low bits of byte {@code in-1} belong to the next block (0..7)
 * @param window the 32 KiB of output before {@code out}, oldest first, zero-filled if fewer; the
 *     record takes the array over (a zTOC of a large layer has thousands of windows, so none is
 *     copied on the way in), and {@link #window()} hands out copies
 */
public record GzipCheckpoint(long in, long out, int bits, byte[] window) {
  /** Deflate's maximum back-reference distance. */
  public static final int WINDOW_SIZE = 32768;

  public GzipCheckpoint {
    if (bits < 0 || bits > 7) {
      throw new IllegalArgumentException("checkpoint bits: expected 0..7, got " + bits);
    }
    if (window.length != WINDOW_SIZE) {
      throw new IllegalArgumentException(
          "checkpoint window: expected " + WINDOW_SIZE + " bytes, got " + window.length);
    }
  }

  /** A copy of the window. */
  @Override
  public byte[] window() {
    return window.clone();
  }

  byte[] windowUnsafe() {
    return window;
  }

  /** First compressed byte of the span this checkpoint starts (one earlier when bits are set). */
  public long spanStart() {
    return in - (bits != 0 ? 1 : 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GzipCheckpoint c && in == c.in && out == c.out && bits == c.bits
        && Arrays.equals(window, c.window);
  }

  @Override
  public int hashCode() {
    return Objects.hash(in, out, bits, Arrays.hashCode(window));
  }

  @Override
  public String toString() {
    return "GzipCheckpoint[in=" + in + ", out=" + out + ", bits=" + bits + "]";
  }
}
