package dev.finch.soci.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Go-style durations ({@code 300ms}, {@code 30s}, {@code 2m}, {@code 1h30m}). */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private Durations() {}

  static Duration parse(String text, String flag) {
    Matcher m = PART.matcher(text);
    int end = 0;
    double millis = 0;
    while (m.find() && m.start() == end) {
      double v = Double.parseDouble(m.group(1));
      millis +=
          switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
          };
      end = m.end();
    }
    if (end == 0 || end != text.length()) {
      throw new SociException(
          "invalid " + flag + " \"" + text + "\": expected a duration such as 30s, 2m or 1h");
    }
    return Duration.ofMillis((long) millis);
  }
}
