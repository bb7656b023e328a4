package dev.finch.soci.ztoc;

import dev.finch.soci.ztoc.compression.ZtocException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses the body of a PAX extended header ({@code "%d %s=%s\n"} records) with Go {@code
 * archive/tar} rules ({@code parsePAX}, {@code parsePAXRecord}, {@code validPAXRecord}).
 */
final class PaxRecords {
  static final String PATH = "path";
  static final String LINKPATH = "linkpath";
  static final String UNAME = "uname";
  static final String GNAME = "gname";
  static final String UID = "uid";
  static final String GID = "gid";
  static final String MTIME = "mtime";
  static final String ATIME = "atime";
  static final String CTIME = "ctime";
  static final String SIZE = "size";
  static final String GNU_SPARSE_PREFIX = "GNU.sparse.";
  private static final int MIN_RECORD = 5;

  private PaxRecords() {}

  /** All records, later duplicates winning. {@code at} is the header offset for messages. */
  static Map<String, String> parse(byte[] body, int len, long at) throws ZtocException {
    String s = new String(body, 0, len, StandardCharsets.UTF_8);
    Map<String, String> out = new TreeMap<>();
    int pos = 0;
    while (pos < s.length()) {
      int space = s.indexOf(' ', pos);
      if (space < 0) {
        throw invalid(at, "record without a length");
      }
      long n;
      try {
        n = Long.parseLong(s.substring(pos, space));
      } catch (NumberFormatException e) {
        throw invalid(at, "record length is not a number");
      }
      // Lengths count bytes; compare in bytes of the record's UTF-8 form.
      int recordEnd = byteOffsetToIndex(s, pos, n);
      if (n < MIN_RECORD || recordEnd < 0 || recordEnd <= space + 1) {
        throw invalid(at, "record length " + n + " is out of range");
      }
      if (s.charAt(recordEnd - 1) != '\n') {
        throw invalid(at, "record does not end with a newline");
      }
      String rec = s.substring(space + 1, recordEnd - 1);
      int eq = rec.indexOf('=');
      if (eq <= 0) {
        throw invalid(at, "record without key=value");
      }
      String key = rec.substring(0, eq);
      String value = rec.substring(eq + 1);
      boolean nameLike =
          key.equals(PATH) || key.equals(LINKPATH) || key.equals(UNAME) || key.equals(GNAME);
      if (nameLike ? value.indexOf('\0') >= 0 : key.indexOf('\0') >= 0) {
        throw invalid(at, "record " + TocValidation.quote(key) + " contains a NUL byte");
      }
      out.put(key, value);
      pos = recordEnd;
    }
    return out;
  }

  /** Index in {@code s} that lies {@code bytes} UTF-8 bytes after {@code from}, or -1. */
  private static int byteOffsetToIndex(String s, int from, long bytes) {
    long remaining = bytes;
    int i = from;
    while (remaining > 0 && i < s.length()) {
      int cp = s.codePointAt(i);
      remaining -= cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += Character.charCount(cp);
    }
    return remaining == 0 ? i : -1;
  }

  /** Go {@code parsePAXTime}: seconds with an optional fraction truncated to nanoseconds. */
  static long[] parseTime(String v, long at) throws ZtocException {
    int dot = v.indexOf('.');
    String ss = dot < 0 ? v : v.substring(0, dot);
    String sn = dot < 0 ? "" : v.substring(dot + 1);
    long secs;
    try {
      secs = Long.parseLong(ss);
    } catch (NumberFormatException e) {
      throw invalid(at, "mtime " + TocValidation.quote(v) + " is not a number");
    }
    if (sn.isEmpty()) {
      return new long[] {secs, 0};
    }
    if (!sn.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw invalid(at, "mtime " + TocValidation.quote(v) + " has a malformed fraction");
    }
    String nine = (sn + "000000000").substring(0, 9);
    long nanos = Long.parseLong(nine);
    return new long[] {secs, ss.startsWith("-") ? -nanos : nanos};
  }

  static long parseInt(String key, String v, long at) throws ZtocException {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw invalid(at, key + " " + TocValidation.quote(v) + " is not a number");
    }
  }

  private static ZtocException invalid(long at, String why) {
    return new ZtocException("not a valid tar: PAX header at offset " + at + ": " + why);
  }
}
