package dev.finch.config;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as finch.yaml writes them ({@code 4GiB}, {@code 512MiB}, {@code 100GiB}). Finch parses
 * them with go-units {@code RAMInBytes}, where every unit is binary whether written {@code G},
 * {@code GB} or {@code GiB}; this class keeps that meaning so an existing finch.yaml means the same.
 */
public final class ByteSize {
  private static final Pattern SIZE =
      Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b?)\\s*$", Pattern.CASE_INSENSITIVE);
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private ByteSize() {}

  /** Parses a size; empty when the text is not a size. */
  public static OptionalLong parse(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    double value = Double.parseDouble(m.group(1));
    int power = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "k" -> 1;
      case "m" -> 2;
      case "g" -> 3;
      case "t" -> 4;
      case "p" -> 5;
      default -> 0;
    };
    if (power == 0 && m.group(3).toLowerCase(Locale.ROOT).startsWith("i")) {
      return OptionalLong.empty();
    }
    return OptionalLong.of((long) (value * Math.pow(1024, power)));
  }

  /** Formats bytes the way Finch writes defaults: binary units, up to four significant digits. */
  public static String format(long bytes) {
    double v = bytes;
    int unit = 0;
    while (v >= 1024 && unit < UNITS.length - 1) {
      v /= 1024;
      unit++;
    }
    String number = String.format(Locale.ROOT, "%.4g", v);
    if (number.contains(".")) {
      number = number.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return number + UNITS[unit];
  }
}
