package dev.finch.soci.ztoc.compression;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.finch.soci.ztoc.fbs.FbsTarZinfo;

/**
 * Spans of an uncompressed tar layer: fixed {@code spanSize} slices of the blob, so compressed and
 * uncompressed offsets coincide. Serialised as the reference's {@code TarZinfo} FlatBuffer ({@code
 * ztoc/compression/fbs/zinfo.fbs}).
 *
 * @param spanSize bytes per span
 * @param size layer blob size
 */
public record TarZinfo(long spanSize, long size) implements Zinfo {
  /** The version the reference writes into TarZinfo. */
  public static final int VERSION = 2;

  public TarZinfo {
    if (spanSize <= 0) {
      throw new IllegalArgumentException("span size must be positive, got " + spanSize);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, got " + size);
    }
  }

  /** Parses the TarZinfo FlatBuffer. */
  public static TarZinfo parse(byte[] bytes) throws ZtocException {
    FbsTarZinfo fb;
    try {
      fb = FbsTarZinfo.root(bytes);
      if (fb.version() != VERSION) {
        throw new ZtocException("tar zinfo: expected version " + VERSION + ", got " + fb.version());
      }
      if (fb.spanSize() <= 0 || fb.size() < 0) {
        throw new ZtocException(
            "tar zinfo: invalid span size " + fb.spanSize() + " or size " + fb.size());
      }
      if (fb.spanSize() > MAX_SPAN_BYTES || fb.size() / fb.spanSize() >= Integer.MAX_VALUE) {
        throw new ZtocException(
            "tar zinfo: span size "
                + fb.spanSize()
                + " for "
                + fb.size()
                + " bytes: spans must hold at most "
                + MAX_SPAN_BYTES
                + " bytes and number fewer than 2^31");
      }
      return new TarZinfo(fb.spanSize(), fb.size());
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      throw new ZtocException("tar zinfo: malformed flatbuffer (" + bytes.length + " bytes)", e);
    }
  }

  @Override
  public void checkFits(long compressedSize, long uncompressedSize) throws ZtocException {
    // an uncompressed layer is its own tar; Go's reader may stop before padding at the end
    if (size != compressedSize || uncompressedSize > size || uncompressedSize < 0) {
      throw new ZtocException(
          "tar zinfo: "
              + size
              + " bytes, but the zTOC's layer has "
              + compressedSize
              + " bytes ("
              + uncompressedSize
              + " of tar)");
    }
  }

  @Override
  public byte[] toBytes() {
    FlatBufferBuilder b = new FlatBufferBuilder(0);
    FbsTarZinfo.start(b);
    FbsTarZinfo.addVersion(b, VERSION);
    FbsTarZinfo.addSpanSize(b, spanSize);
    FbsTarZinfo.addSize(b, size);
    b.finish(FbsTarZinfo.end(b));
    return b.sizedByteArray();
  }

  @Override
  public int maxSpanId() {
    long spans = size / spanSize - (size % spanSize == 0 ? 1 : 0);
    return (int) spans;
  }

  @Override
  public long startCompressedOffset(int spanId) {
    return spanId * spanSize;
  }

  @Override
  public long endCompressedOffset(int spanId, long compressedSize) {
    return Math.min((spanId + 1) * spanSize, compressedSize);
  }

  @Override
  public long startUncompressedOffset(int spanId) {
    return startCompressedOffset(spanId);
  }

  @Override
  public long endUncompressedOffset(int spanId, long uncompressedArchiveSize) {
    return endCompressedOffset(spanId, size);
  }

  @Override
  public int spanIdForUncompressedOffset(long offset) {
    return (int) (offset / spanSize);
  }

  @Override
  public void extract(
      int spanId, byte[] src, int srcOff, int srcLen, long offset, byte[] dst, int dstOff, int len)
      throws ZtocException {
    long skip = offset - startCompressedOffset(spanId);
    if (skip < 0 || skip + len > srcLen) {
      throw new ZtocException(
          "tar span "
              + spanId
              + ": range ["
              + offset
              + ", "
              + (offset + len)
              + ") is outside the "
              + srcLen
              + " supplied bytes");
    }
    System.arraycopy(src, srcOff + (int) skip, dst, dstOff, len);
  }

  @Override
  public void inflateSpan(int spanId, java.io.InputStream src, long len, java.io.OutputStream dst)
      throws java.io.IOException {
    byte[] buf = new byte[(int) Math.min(len, 1 << 16)];
    long left = len;
    while (left > 0) {
      int n = src.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new ZtocException("tar span " + spanId + ": data ends " + left + " bytes early");
      }
      dst.write(buf, 0, n);
      left -= n;
    }
  }
}
