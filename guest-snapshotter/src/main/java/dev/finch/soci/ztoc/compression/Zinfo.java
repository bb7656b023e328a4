package dev.finch.soci.ztoc.compression;

import dev.finch.soci.oci.MediaTypes.Compression;

/**
 * The span map of one layer: where each span starts in the compressed blob and in the tar, and how
 * to turn a span's compressed bytes back into tar bytes. A span can be fetched (one HTTP range) and
 * decompressed without any other span, which is what makes lazy loading possible.
 *
 * <p>Typical use: {@code Zinfo z = info.zinfo();} (for a {@link
 * dev.finch.soci.ztoc.CompressionInfo}) then for a file at tar offset {@code o}, {@code
 * z.spanIdForUncompressedOffset(o)} names the first span, whose compressed range is {@code
 * [startCompressedOffset(s), endCompressedOffset(s, blobSize))}.
 */
public sealed interface Zinfo permits GzipZinfo, TarZinfo {

  /** Parses the {@code checkpoints} bytes of a zTOC for the given layer compression. */
  static Zinfo of(Compression algorithm, byte[] checkpoints) throws ZtocException {
    return of(algorithm, java.lang.foreign.MemorySegment.ofArray(checkpoints));
  }

  /**
   * {@link #of(Compression, byte[])} for checkpoint bytes anywhere (a gzip zinfo's windows stay
   * there).
   */
  static Zinfo of(Compression algorithm, java.lang.foreign.MemorySegment checkpoints)
      throws ZtocException {
    return switch (algorithm) {
      case GZIP -> GzipZinfo.parse(checkpoints);
      case UNCOMPRESSED, UNKNOWN ->
          TarZinfo.parse(checkpoints.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
      case ZSTD -> throw new ZtocException("zinfo: zstd layers are not supported");
    };
  }

  /**
   * The most tar bytes one span may hold: a span is inflated into one array (and read into one FUSE
   * answer at most), so a span map that claims more is refused rather than trusted.
   */
  long MAX_SPAN_BYTES = Integer.MAX_VALUE - 8;

  /**
   * Checks that the spans fit a layer of these sizes (the zTOC's own): every span starts inside the
   * blob and inside the tar. {@link dev.finch.soci.ztoc.ZtocCodec#decode} calls it, so a decoded
   * zTOC's span map can be used without further checks.
   */
  void checkFits(long compressedSize, long uncompressedSize) throws ZtocException;

  /** The span size the zinfo was built with. */
  long spanSize();

  /** Number of spans minus one. */
  int maxSpanId();

  /** First compressed byte of the span (for gzip, may be the last byte of the previous span). */
  long startCompressedOffset(int spanId);

  /** End (exclusive) of the span's compressed bytes. */
  long endCompressedOffset(int spanId, long compressedSize);

  /** Tar offset of the span's first byte. */
  long startUncompressedOffset(int spanId);

  /** Tar offset (exclusive) where the span ends; the last span ends at the archive size. */
  long endUncompressedOffset(int spanId, long uncompressedArchiveSize);

  /** The span containing the given tar offset. */
  int spanIdForUncompressedOffset(long offset);

  /** The serialised form (identical to what was parsed, or what the reference would write). */
  byte[] toBytes();

  /**
   * Decompresses {@code len} tar bytes starting at tar offset {@code offset} into {@code dst},
   * using only the compressed bytes of span {@code spanId} (and following spans when the range
   * crosses them) given in {@code src[srcOff, srcOff+srcLen)}, which must start at {@link
   * #startCompressedOffset}.
   */
  void extract(
      int spanId, byte[] src, int srcOff, int srcLen, long offset, byte[] dst, int dstOff, int len)
      throws ZtocException;

  /**
   * Streaming form, for span fetches that should not hold a span in memory: decompresses the first
   * {@code len} tar bytes of span {@code spanId} to {@code dst}, reading its compressed bytes from
   * {@code src}, which is positioned at {@link #startCompressedOffset}. Reads only what it needs
   * (in chunks of at most 64 KiB, so the caller can hash what is read); what the caller does not
   * drain from {@code src} afterwards was not read.
   */
  void inflateSpan(int spanId, java.io.InputStream src, long len, java.io.OutputStream dst)
      throws java.io.IOException;

  /** Convenience form of {@link #extract(int, byte[], int, int, long, byte[], int, int)}. */
  default byte[] extract(int spanId, byte[] spanBytes, long offset, int length)
      throws ZtocException {
    byte[] out = new byte[length];
    extract(spanId, spanBytes, 0, spanBytes.length, offset, out, 0, length);
    return out;
  }
}
