package dev.finch.soci.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Aligned columns as Go's {@code text/tabwriter} with (minwidth 8, tabwidth 8, padding 4, ' ') lays
 * them out, which is what the reference CLI's listings use: every tab-terminated cell is padded to
 * its column's widest cell plus 4 spaces, at least 8.
 */
public final class TabWriter {
  private static final int MIN_WIDTH = 8;
  private static final int PADDING = 4;
  private final List<String[]> rows = new ArrayList<>();

  /** Adds a row; each cell is tab-terminated as in the reference ("a\tb\t\n"). */
  public void row(Object... cells) {
    String[] r = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      r[i] = cells[i] == null ? "" : cells[i].toString();
    }
    rows.add(r);
  }

  public void flush(PrintWriter out) {
    int cols = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], Math.max(MIN_WIDTH, r[i].length() + PADDING));
      }
    }
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        sb.append(r[i]);
        sb.repeat(' ', width[i] - r[i].length());
      }
      out.println(sb);
    }
    rows.clear();
    out.flush();
  }
}
