package dev.finch.soci.util;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Exactly {@code limit} bytes of another stream: its end comes after them (the rest of the other
 * stream is left unread), and the other stream ending sooner is an {@link EOFException}. Closing it
 * does not close the other stream.
 */
public final class LimitedInputStream extends InputStream {
  private final InputStream in;
  private long left;

  public LimitedInputStream(InputStream in, long limit) {
    this.in = in;
    this.left = limit;
  }

  @Override
  public int read() throws IOException {
    if (left <= 0) {
      return -1;
    }
    int b = in.read();
    if (b < 0) {
      throw new EOFException("stream ended " + left + " bytes early");
    }
    left--;
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (left <= 0) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n = in.read(b, off, (int) Math.min(len, left));
    if (n < 0) {
      throw new EOFException("stream ended " + left + " bytes early");
    }
    left -= n;
    return n;
  }

  @Override
  public void close() {
    // the other stream belongs to the caller
  }
}
