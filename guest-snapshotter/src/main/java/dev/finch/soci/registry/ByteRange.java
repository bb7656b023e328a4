package dev.finch.soci.registry;

/**
 * A half-open byte range {@code [start, end)} of a blob.
 *
 * @param start first byte, inclusive
 * @param end last byte, exclusive
 */
public record ByteRange(long start, long end) {
  public ByteRange {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("invalid byte range [" + start + ", " + end + ")");
    }
  }

  public long length() {
    return end - start;
  }

  /** The HTTP form, inclusive at both ends: {@code 0-99}. */
  public String httpSpec() {
    return start + "-" + (end - 1);
  }

  public boolean contains(ByteRange other) {
    return start <= other.start && other.end <= end;
  }

  /** The ranges sorted by start, with overlapping and touching ranges joined. */
  public static java.util.List<ByteRange> merge(java.util.List<ByteRange> ranges) {
    java.util.List<ByteRange> sorted = new java.util.ArrayList<>(ranges);
    sorted.sort(java.util.Comparator.comparingLong(ByteRange::start));
    java.util.List<ByteRange> out = new java.util.ArrayList<>();
    for (ByteRange r : sorted) {
      if (!out.isEmpty() && r.start() <= out.getLast().end()) {
        ByteRange last = out.removeLast();
        out.add(new ByteRange(last.start(), Math.max(last.end(), r.end())));
      } else {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "[" + start + ", " + end + ")";
  }
}
