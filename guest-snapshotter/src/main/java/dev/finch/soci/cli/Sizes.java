package dev.finch.soci.cli;

import java.util.Locale;

/** Human-readable byte sizes for listings, as the reference prints them (e.g. 1.9 kB, 4.2 MB). */
final class Sizes {
  private Sizes() {}

  static String human(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    if (u == 0) {
      return bytes + " B";
    }
    // "1.90 kB" -> "1.9 kB", "300 MB" stays (only zeros after a decimal point go)
    return String.format(Locale.ROOT, "%.3g %s", v, units[u])
        .replaceAll("(\\.\\d*?)0+ ", "$1 ")
        .replace(". ", " ");
  }
}
