package dev.finch.soci.registry;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code Content-Range: bytes <first>-<last>/<total or *>} into a half-open range. */
final class ContentRange {
  private static final Pattern FORM = Pattern.compile("\\s*bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)\\s*");

  private ContentRange() {}

  /**
   * The range, or null when the header is missing or malformed (numbers beyond a long, or a last
   * byte before the first, included).
   */
  static ByteRange parse(String header) {
    if (header == null) {
      return null;
    }
    Matcher m = FORM.matcher(header);
    if (!m.matches()) {
      return null;
    }
    long first;
    long last;
    try {
      first = Long.parseLong(m.group(1));
      last = Long.parseLong(m.group(2));
    } catch (NumberFormatException e) {
      return null; // more digits than a long holds: no blob is that large
    }
    return last < first || last == Long.MAX_VALUE ? null : new ByteRange(first, last + 1);
  }
}
