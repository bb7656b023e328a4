package dev.finch.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size as finch.yaml writes it ({@code 4GiB}, {@code 512MiB}, {@code 100GiB}): its bytes, and the
 * text it was written as. Finch parses sizes with go-units {@code RAMInBytes}, where every unit is
 * binary whether written {@code G}, {@code GB} or {@code GiB}; this class keeps that meaning so an
 * existing finch.yaml means the same. Finch hands the text on to the VM unchanged, so {@link
 * #toString} is that text; sizes finch computes itself are written as Finch writes its defaults
 * ({@link #format}).
 */
public final class ByteSize {
  private static final Pattern SIZE =
      Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b?)\\s*$", Pattern.CASE_INSENSITIVE);
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  private final long bytes;
  private final String text;

  private ByteSize(long bytes, String text) {
    this.bytes = bytes;
    this.text = text;
  }

  /** {@code text} as a size; empty when it is not one. */
  public static Optional<ByteSize> parse(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    double value = Double.parseDouble(m.group(1));
    int power =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "k" -> 1;
          case "m" -> 2;
          case "g" -> 3;
          case "t" -> 4;
          case "p" -> 5;
          default -> 0;
        };
    if (power == 0 && m.group(3).toLowerCase(Locale.ROOT).startsWith("i")) {
      return Optional.empty();
    }
    return Optional.of(new ByteSize((long) (value * Math.pow(1024, power)), text.strip()));
  }

  /** A size written in code ({@code "100GiB"}); one that does not parse is a programming error. */
  public static ByteSize of(String text) {
    return parse(text).orElseThrow(() -> new IllegalArgumentException("not a size: " + text));
  }

  /** {@code bytes}, written the way Finch writes its defaults ({@link #format}). */
  public static ByteSize ofBytes(long bytes) {
    return new ByteSize(bytes, format(bytes));
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

  public long bytes() {
    return bytes;
  }

  /** The size as written, e.g. {@code 4GiB}: what finch.yaml said, and what the VM is given. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByteSize b && b.bytes == bytes && b.text.equals(text);
  }

  @Override
  public int hashCode() {
    return Objects.hash(bytes, text);
  }
}
