package dev.finch.soci.cli;

import dev.finch.process.ProgressBar;
import dev.finch.terminal.TerminalWidth;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Progress of long work on stderr: one {@link ProgressBar} line redrawn in place, never wider than
 * the terminal, only when a console is attached and stderr is a terminal (and {@code
 * SOCI_NO_PROGRESS} is unset). Scripts, logs and a pull handed off to the daemon see just the
 * result lines, exactly as without it. The terminal's width comes from jline, which is loaded at
 * the first line drawn, so a command that draws none never pays for it.
 */
public final class Progress {
  private static final long REDRAW_NANOS = 500_000_000L;
  private final PrintWriter err;
  private final Supplier<IntSupplier> terminal;
  private final LongSupplier clock;
  private IntSupplier width;

  public Progress(PrintWriter err) {
    this(
        err,
        dev.finch.process.Tty.attached() && System.getenv("SOCI_NO_PROGRESS") == null
            ? TerminalWidth::ofStderr
            : () -> () -> 0,
        System::nanoTime);
  }

  /**
   * @param terminal the width of the terminal {@code err} is on (0: none, nothing is drawn), asked
   *     once, when the first line would be drawn
   * @param clock nanoseconds, for the redraw rate and the transfer rate
   */
  public Progress(PrintWriter err, Supplier<IntSupplier> terminal, LongSupplier clock) {
    this.err = err;
    this.terminal = terminal;
    this.clock = clock;
  }

  private synchronized int width() {
    if (width == null) {
      width = terminal.get();
    }
    return width.getAsInt();
  }

  private synchronized void draw(String label, long done, long total, String detail) {
    int w = width();
    if (w > 0) {
      err.print(ProgressBar.redraw(ProgressBar.line(w, label, done, total, detail)));
      err.flush();
    }
  }

  private synchronized void clear() {
    if (width != null && width.getAsInt() > 0) {
      err.print(ProgressBar.CLEAR);
      err.flush();
    }
  }

  /**
   * {@code in}, drawing {@code label}, a bar of the bytes read of {@code total} and the rate as it
   * is read, at most twice a second; closing it erases the line.
   */
  public InputStream track(String label, long total, InputStream in) {
    if (width() <= 0) {
      return in;
    }
    long start = clock.getAsLong();
    return new FilterInputStream(in) {
      private long done;
      private long last = start - REDRAW_NANOS;

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
        long now = clock.getAsLong();
        if (now - last >= REDRAW_NANOS || done == total) {
          last = now;
          double secs = Math.max(1e-3, (now - start) / 1e9);
          draw(
              label,
              done,
              total,
              String.format(
                  Locale.ROOT,
                  "%s / %s (%.1f MB/s)",
                  Sizes.human(done),
                  Sizes.human(total),
                  done / secs / 1e6));
        }
      }

      @Override
      public void close() throws IOException {
        super.close();
        clear();
      }
    };
  }

  /**
   * A count of finished items ({@code total} of them, 0 when not known), drawn as {@code label}, a
   * bar and {@code "3/7 unit"}; result lines printed through it appear above the line.
   */
  public Counter count(String label, int total, String unit) {
    Counter c = new Counter(label, total, unit);
    c.advance(0);
    return c;
  }

  /** See {@link #count}. Thread-safe: parallel uploads report through one counter. */
  public final class Counter implements AutoCloseable {
    private final String label;
    private final int total;
    private final String unit;
    private int done;

    private Counter(String label, int total, String unit) {
      this.label = label;
      this.total = total;
      this.unit = unit;
    }

    /** Prints {@code line} on {@code out} above the progress line. */
    public void println(PrintWriter out, String line) {
      synchronized (Progress.this) {
        clear();
        out.println(line);
        out.flush();
        redraw();
      }
    }

    /** {@code n} more items are finished. */
    public void advance(int n) {
      synchronized (Progress.this) {
        done += n;
        redraw();
      }
    }

    private void redraw() {
      draw(
          label,
          done,
          total,
          (total > 0 ? done + "/" + total : Integer.toString(done)) + " " + unit);
    }

    /** Erases the progress line. */
    @Override
    public void close() {
      clear();
    }
  }
}
