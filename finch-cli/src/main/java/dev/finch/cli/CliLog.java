package dev.finch.cli;

import dev.finch.process.Log;
import dev.finch.process.ProgressBar;
import dev.finch.terminal.TerminalWidth;
import java.io.PrintWriter;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * finch's diagnostics on stderr in Finch's logrus text format ({@code INFO[0000] ...}, {@code
 * WARN[0000] ...}, {@code FATA[0000] ...}), so output looks and greps like Finch's. The bracket
 * holds whole seconds since finch started.
 *
 * <p>Progress of long work ({@link #progress}) is one line redrawn in place when stderr is a
 * terminal (debug lines scroll above it; the next info, warning or fatal line replaces it), and the
 * plain info line of each step otherwise, so logs and scripts read the same lines as before.
 */
public final class CliLog implements Log {
  private final PrintWriter err;
  private final boolean debug;
  private final Supplier<IntSupplier> terminal;
  private final long start = System.nanoTime();
  private IntSupplier width;
  private Step live;

  /** The progress on screen. */
  private record Step(String work, String step, int done, int total) {}

  public CliLog(PrintWriter err, boolean debug) {
    this(err, debug, TerminalWidth::ofStderr);
  }

  /**
   * @param terminal the width of the terminal {@code err} is on (0: not a terminal); asked once, at
   *     the first progress line
   */
  CliLog(PrintWriter err, boolean debug, Supplier<IntSupplier> terminal) {
    this.err = err;
    this.debug = debug;
    this.terminal = terminal;
  }

  public boolean debugEnabled() {
    return debug;
  }

  private String prefix(String level) {
    long secs = (System.nanoTime() - start) / 1_000_000_000L;
    return String.format("%s[%04d] ", level, secs);
  }

  private synchronized void line(String level, String message) {
    if (live != null) {
      err.print(ProgressBar.CLEAR);
    }
    err.print(prefix(level) + message + System.lineSeparator());
    if (live != null && level.equals("DEBU")) {
      drawLive();
    } else {
      live = null;
    }
    err.flush();
  }

  @Override
  public void info(String message) {
    line("INFO", message);
  }

  @Override
  public void warn(String message) {
    line("WARN", message);
  }

  @Override
  public void debug(String message) {
    if (debug) {
      line("DEBU", message);
    }
  }

  @Override
  public synchronized void progress(String work, String step, int done, int total) {
    if (width == null) {
      width = terminal.get();
    }
    if (width.getAsInt() <= 0) {
      Log.super.progress(work, step, done, total);
      return;
    }
    live = new Step(work, step, done, total);
    drawLive();
    err.flush();
  }

  private void drawLive() {
    err.print(
        ProgressBar.redraw(
            ProgressBar.line(
                width.getAsInt(),
                prefix("INFO") + live.work(),
                live.done(),
                live.total(),
                live.done() + "/" + live.total() + " " + live.step())));
  }

  /** The last line of a failed command. */
  public void fatal(String message) {
    line("FATA", message);
  }
}
