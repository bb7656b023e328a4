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

  @Override
  public String toString() {
    return "[" + start + ", " + end + ")";
  }
}
