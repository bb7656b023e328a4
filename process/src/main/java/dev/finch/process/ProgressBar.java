package dev.finch.process;

/**
 * A progress bar as one line of text for a terminal: {@code label [=====> ] detail}, never wider
 * than the terminal. It is plain text, so the host CLI and the guest's {@code soci} draw the same
 * bar and tests check it without a terminal; the callers find the width (through jline, only when a
 * terminal is attached) and print the line with {@link #redraw}.
 */
public final class ProgressBar {
  /** The bar's widest, so a wide terminal does not get a bar that crawls. */
  static final int MAX_CELLS = 30;

  /** Below this a bar says nothing; the line then has the label and detail only. */
  static final int MIN_CELLS = 8;

  /** Moves to the start of the line and erases it. */
  public static final String CLEAR = "\r\033[K";

  private ProgressBar() {}

  /**
   * The line for {@code done} of {@code total} in a terminal {@code width} columns wide: the label,
   * a bar when {@code total > 0} and there is room for one, then the detail, cut to fit (ending in
   * {@code ...}) when it is too long. The bar takes a third of what the label leaves, whatever the
   * detail, so it keeps its size while the detail changes from line to line.
   */
  public static String line(int width, String label, long done, long total, String detail) {
    String tail = detail.isEmpty() ? "" : " " + detail;
    int cells = Math.min(MAX_CELLS, (width - 1 - label.length() - 3) / 3);
    if (total <= 0 || cells < MIN_CELLS) {
      return fit(label + tail, width);
    }
    int filled = (int) (cells * Math.clamp(done, 0, total) / total);
    StringBuilder b = new StringBuilder(label).append(" [");
    b.repeat('=', filled);
    if (filled < cells) {
      b.append('>').repeat(' ', cells - filled - 1);
    }
    return fit(b.append(']').append(tail).toString(), width);
  }

  /**
   * {@code text} cut to at most {@code width - 1} columns: the last column stays empty, since a
   * character there makes some terminals wrap before the next carriage return.
   */
  public static String fit(String text, int width) {
    int room = Math.max(0, width - 1);
    if (text.length() <= room) {
      return text;
    }
    return room > 3 ? text.substring(0, room - 3) + "..." : text.substring(0, room);
  }

  /** What draws {@code line} over the current one: back to its start, the line, erase the rest. */
  public static String redraw(String line) {
    return "\r" + line + "\033[K";
  }
}
