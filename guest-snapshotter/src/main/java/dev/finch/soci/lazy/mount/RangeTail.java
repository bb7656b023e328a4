package dev.finch.soci.lazy.mount;

import java.io.IOException;
import java.io.InputStream;

/**
 * A range body that remembers its last few bytes, so that a span starting a byte or so before the
 * current position (a shared byte) can be read from its own start.
 */
final class RangeTail {
  private static final int KEEP = 8;
  private final InputStream in;
  private final byte[] last = new byte[KEEP];
  private long pos;
  private int kept;

  RangeTail(InputStream in, long start) {
    this.in = in;
    this.pos = start;
  }

  /** The body from absolute offset {@code start}, at most {@value #KEEP} bytes back. */
  InputStream from(long start) throws IOException {
    long back = pos - start;
    if (back < 0 || back > kept) {
      throw new IOException("span starts at " + start + ", the range body is at " + pos);
    }
    byte[] replay = java.util.Arrays.copyOfRange(last, kept - (int) back, kept);
    InputStream rest =
        new InputStream() {
          @Override
          public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
              remember(new byte[] {(byte) b}, 0, 1);
            }
            return b;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
              remember(b, off, n);
            }
            return n;
          }
        };
    return back == 0
        ? rest
        : new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(replay), rest);
  }

  private void remember(byte[] b, int off, int n) {
    pos += n;
    if (n >= KEEP) {
      System.arraycopy(b, off + n - KEEP, last, 0, KEEP);
      kept = KEEP;
    } else {
      int keep = Math.min(kept, KEEP - n);
      System.arraycopy(last, kept - keep, last, 0, keep);
      System.arraycopy(b, off, last, keep, n);
      kept = keep + n;
    }
  }
}
