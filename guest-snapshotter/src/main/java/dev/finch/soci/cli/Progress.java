package dev.finch.soci.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of long byte streams on stderr, redrawn in place at most twice a second, only when stderr
 * is a terminal (scripts and logs see just the result lines).
 */
final class Progress {
  private final PrintWriter err;
  private final boolean enabled;

  Progress(PrintWriter err) {
    this.err = err;
    this.enabled = System.console() != null && System.getenv("SOCI_NO_PROGRESS") == null;
  }

  InputStream track(String label, long total, InputStream in) {
    if (!enabled) {
      return in;
    }
    return new FilterInputStream(in) {
      private long done;
      private long last;
      private final long start = System.nanoTime();

      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          advance(1);
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          advance(n);
        }
        return n;
      }

      private void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - last > 500_000_000L || done == total) {
          last = now;
          double secs = Math.max(1e-3, (now - start) / 1e9);
          err.printf(
              Locale.ROOT,
              "\r%s %s / %s (%.1f MB/s)   ",
              label,
              Sizes.human(done),
              Sizes.human(total),
              done / secs / 1e6);
          err.flush();
        }
      }

      @Override
      public void close() throws IOException {
        super.close();
        err.print("\r\033[K");
        err.flush();
      }
    };
  }
}
