package dev.finch.soci.ztoc;

import dev.finch.soci.ztoc.compression.ZtocException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Go {@code time.Time.MarshalText} for a UTC time: RFC 3339 with up to nine fraction digits,
 * trailing zeros trimmed and the fraction dropped when zero ({@code
 * 2006-01-02T15:04:05.999999999Z}). The zTOC stores mtimes in this form, so it must match byte for
 * byte.
 */
final class GoTime {
  /** What Go prints for the zero {@code time.Time}. */
  static final String ZERO = "0001-01-01T00:00:00Z";

  private static final int MAX_YEAR = 9999;
  private static final int NANO_DIGITS = 9;

  private GoTime() {}

  /** Formats {@code time.Unix(seconds, nanos)} in UTC; Go refuses years outside 0..9999. */
  static String marshalText(long seconds, long nanos) throws ZtocException {
    LocalDateTime t;
    try {
      Instant instant = Instant.ofEpochSecond(seconds, nanos);
      t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
    } catch (DateTimeException | ArithmeticException e) {
      throw new ZtocException("mod time " + seconds + "s: year outside of range [0,9999]");
    }
    if (t.getYear() < 0 || t.getYear() > MAX_YEAR) {
      throw new ZtocException(
          "mod time " + seconds + "s: year " + t.getYear() + " outside of range [0,9999]");
    }
    StringBuilder sb = new StringBuilder(30);
    pad(sb, t.getYear(), 4).append('-');
    pad(sb, t.getMonthValue(), 2).append('-');
    pad(sb, t.getDayOfMonth(), 2).append('T');
    pad(sb, t.getHour(), 2).append(':');
    pad(sb, t.getMinute(), 2).append(':');
    pad(sb, t.getSecond(), 2);
    int nano = t.getNano();
    if (nano != 0) {
      StringBuilder frac = new StringBuilder();
      pad(frac, nano, NANO_DIGITS);
      int end = frac.length();
      while (frac.charAt(end - 1) == '0') {
        end--;
      }
      sb.append('.').append(frac, 0, end);
    }
    return sb.append('Z').toString();
  }

  private static StringBuilder pad(StringBuilder sb, int value, int width) {
    String s = Integer.toString(value);
    for (int i = s.length(); i < width; i++) {
      sb.append('0');
    }
    return sb.append(s);
  }
}
