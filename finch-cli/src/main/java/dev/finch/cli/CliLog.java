package dev.finch.cli;

import dev.finch.vm.Log;
import java.io.PrintWriter;

/**
 * finch's diagnostics on stderr in Finch's logrus text format ({@code INFO[0000] ...},
 * {@code WARN[0000] ...}, {@code FATA[0000] ...}), so output looks and greps like Finch's.
 * The bracket holds whole seconds since finch started.
 */
public final class CliLog implements Log {
  private final PrintWriter err;
  private final boolean debug;
  private final long start = System.nanoTime();

  public CliLog(PrintWriter err, boolean debug) {
    this.err = err;
    this.debug = debug;
  }

  public boolean debugEnabled() {
    return debug;
  }

  private void line(String level, String message) {
    long secs = (System.nanoTime() - start) / 1_000_000_000L;
    err.printf("%s[%04d] %s%n", level, secs, message);
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

  /** The last line of a failed command. */
  public void fatal(String message) {
    line("FATA", message);
  }
}
