package dev.finch.soci.ztoc.compression;

import dev.finch.soci.sys.LibZ;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The gzip checkpoint index of a layer (soci {@code ztoc/compression/gzip_zinfo.c}, derived from
 * zlib's {@code zran.c}): one {@link GzipCheckpoint} per span, so each span inflates on its own.
 *
 * <p>Blob layout, little-endian and packed: {@code int32 count, int64 span_size}, then per
 * checkpoint {@code int64 in, int64 out, uint8 bits, byte[32768] window}. Version 1 blobs omit
 * checkpoint 0 (which is then {@code {10, 0, 0, zeros}}) and are written back in v1 form so their
 * digests stay stable.
 *
 * @param spanSize the requested span size
 * @param checkpoints at least one, ordered by offset
 * @param version {@link #VERSION_ONE} or {@link #VERSION_TWO}
 */
public record GzipZinfo(long spanSize, List<GzipCheckpoint> checkpoints, int version)
    implements Zinfo {
  public static final int VERSION_ONE = 1;
  public static final int VERSION_TWO = 2;

  /** {@code int32 count + int64 span_size}. */
  public static final int BLOB_HEADER_SIZE = 12;

  /**
   * Where a checkpoint record's window starts in it: after {@code int64 in, int64 out, uint8 bits}.
   */
  public static final int WINDOW_OFFSET = 8 + 8 + 1;

  /** {@code 8 + 8 + 1 + 32768}. */
  public static final int PACKED_CHECKPOINT_SIZE = WINDOW_OFFSET + GzipCheckpoint.WINDOW_SIZE;

  /** Checkpoint 0 as v1 blobs imply it: right after a 10-byte gzip header. */
  static final long V1_FIRST_IN = 10;

  private static final int TRAILER_SIZE = 8;
  private static final int CHUNK = 1 << 16;
  private static final int DISCARD = 1 << 16;

  public GzipZinfo {
    checkpoints = List.copyOf(checkpoints);
    if (checkpoints.isEmpty()) {
      throw new IllegalArgumentException("gzip zinfo needs at least one checkpoint");
    }
    if (version != VERSION_ONE && version != VERSION_TWO) {
      throw new IllegalArgumentException("gzip zinfo version: expected 1 or 2, got " + version);
    }
  }

  /**
   * Parses a v1 or v2 blob, telling them apart by length. The windows stay in {@code blob}, which
   * must not change afterwards.
   */
  public static GzipZinfo parse(byte[] blob) throws ZtocException {
    return parse(MemorySegment.ofArray(blob));
  }

  /**
   * {@link #parse(byte[])} for a blob anywhere: on the heap, or in a memory-mapped zTOC file, whose
   * windows are then read from disk only for the spans that are inflated.
   */
  public static GzipZinfo parse(MemorySegment blob) throws ZtocException {
    long length = blob.byteSize();
    if (length < BLOB_HEADER_SIZE) {
      throw new ZtocException(
          "gzip zinfo: expected at least " + BLOB_HEADER_SIZE + " bytes, got " + length);
    }
    int count = blob.get(LE_INT, 0);
    long span = blob.get(LE_LONG, 4);
    if (count <= 0) {
      throw new ZtocException("gzip zinfo: expected a positive checkpoint count, got " + count);
    }
    long v2Size = BLOB_HEADER_SIZE + (long) count * PACKED_CHECKPOINT_SIZE;
    long v1Size = BLOB_HEADER_SIZE + ((long) count - 1) * PACKED_CHECKPOINT_SIZE;
    int version;
    if (length == v2Size) {
      version = VERSION_TWO;
    } else if (length == v1Size) {
      version = VERSION_ONE;
    } else {
      throw new ZtocException(
          "gzip zinfo: "
              + count
              + " checkpoints need "
              + v2Size
              + " bytes (v2) or "
              + v1Size
              + " bytes (v1), got "
              + length);
    }
    List<GzipCheckpoint> list = new ArrayList<>(count);
    long pos = BLOB_HEADER_SIZE;
    if (version == VERSION_ONE) {
      list.add(new GzipCheckpoint(V1_FIRST_IN, 0, 0, new byte[GzipCheckpoint.WINDOW_SIZE]));
    }
    while (list.size() < count) {
      long in = blob.get(LE_LONG, pos);
      long out = blob.get(LE_LONG, pos + 8);
      int bits = blob.get(ValueLayout.JAVA_BYTE, pos + 16) & 0xff;
      if (bits > 7) {
        throw new ZtocException(
            "gzip zinfo: checkpoint " + list.size() + " bits: expected 0..7, got " + bits);
      }
      // the window stays in the blob
      list.add(new GzipCheckpoint(in, out, bits, blob, pos + WINDOW_OFFSET));
      pos += PACKED_CHECKPOINT_SIZE;
    }
    checkOrder(list);
    return new GzipZinfo(span, list, version);
  }

  /**
   * Checkpoints come from a registry: each must lie at or after the one before it in both streams
   * (so every span's ranges are non-negative), the first at tar offset 0, and no span may hold more
   * than {@link #MAX_SPAN_BYTES}.
   */
  private static void checkOrder(List<GzipCheckpoint> list) throws ZtocException {
    GzipCheckpoint first = list.getFirst();
    if (first.out() != 0 || first.spanStart() < 0) {
      throw new ZtocException(
          "gzip zinfo: checkpoint 0 must start at tar offset 0, got in "
              + first.in()
              + ", out "
              + first.out());
    }
    for (int i = 1; i < list.size(); i++) {
      GzipCheckpoint prev = list.get(i - 1);
      GzipCheckpoint c = list.get(i);
      if (c.in() < prev.in() || c.out() < prev.out()) {
        throw new ZtocException(
            "gzip zinfo: checkpoint "
                + i
                + " (in "
                + c.in()
                + ", out "
                + c.out()
                + ") lies before checkpoint "
                + (i - 1)
                + " (in "
                + prev.in()
                + ", out "
                + prev.out()
                + ")");
      }
      if (c.out() - prev.out() > MAX_SPAN_BYTES) {
        throw new ZtocException(
            "gzip zinfo: span " + (i - 1) + " holds " + (c.out() - prev.out()) + " tar bytes");
      }
    }
  }

  @Override
  public void checkFits(long compressedSize, long uncompressedSize) throws ZtocException {
    GzipCheckpoint last = checkpoints.getLast();
    if (last.in() > compressedSize || last.out() > uncompressedSize) {
      throw new ZtocException(
          "gzip zinfo: checkpoint "
              + maxSpanId()
              + " (in "
              + last.in()
              + ", out "
              + last.out()
              + ") lies past the layer's end (compressed "
              + compressedSize
              + ", tar "
              + uncompressedSize
              + " bytes)");
    }
    if (uncompressedSize - last.out() > MAX_SPAN_BYTES) {
      throw new ZtocException(
          "gzip zinfo: span "
              + maxSpanId()
              + " holds "
              + (uncompressedSize - last.out())
              + " tar bytes");
    }
  }

  private static final ValueLayout.OfInt LE_INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LE_LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  @Override
  public byte[] toBytes() {
    int skip = version == VERSION_ONE ? 1 : 0;
    int stored = checkpoints.size() - skip;
    ByteBuffer bb =
        ByteBuffer.allocate(BLOB_HEADER_SIZE + stored * PACKED_CHECKPOINT_SIZE)
            .order(ByteOrder.LITTLE_ENDIAN);
    bb.putInt(checkpoints.size()).putLong(spanSize);
    for (GzipCheckpoint c : checkpoints.subList(skip, checkpoints.size())) {
      bb.putLong(c.in()).putLong(c.out()).put((byte) c.bits());
      c.putWindow(bb);
    }
    return bb.array();
  }

  @Override
  public int maxSpanId() {
    return checkpoints.size() - 1;
  }

  @Override
  public long startCompressedOffset(int spanId) {
    return checkpoints.get(spanId).spanStart();
  }

  @Override
  public long endCompressedOffset(int spanId, long compressedSize) {
    return spanId == maxSpanId() ? compressedSize : checkpoints.get(spanId + 1).in();
  }

  @Override
  public long startUncompressedOffset(int spanId) {
    return checkpoints.get(spanId).out();
  }

  @Override
  public long endUncompressedOffset(int spanId, long uncompressedArchiveSize) {
    return spanId == maxSpanId() ? uncompressedArchiveSize : checkpoints.get(spanId + 1).out();
  }

  @Override
  public int spanIdForUncompressedOffset(long offset) {
    int lo = 0;
    int hi = checkpoints.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (checkpoints.get(mid).out() <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  @Override
  public void extract(
      int spanId, byte[] src, int srcOff, int srcLen, long offset, byte[] dst, int dstOff, int len)
      throws ZtocException {
    GzipCheckpoint cp = checkpoints.get(spanId);
    long skip = offset - cp.out();
    if (skip < 0) {
      throw new ZtocException(
          "gzip span " + spanId + ": offset " + offset + " lies before the span start " + cp.out());
    }
    int[] at = {dstOff};
    try (NativeInflater z = new NativeInflater(LibZ.WINDOW_BITS_RAW)) {
      new SpanInflation(z, spanId, new ArraySource(src, srcOff, srcLen))
          .run(
              cp,
              skip,
              len,
              (seg, n) -> {
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, dst, at[0], n);
                at[0] += n;
              });
    } catch (ZtocException e) {
      throw e;
    } catch (IOException e) {
      throw new ZtocException("gzip span " + spanId + ": " + e.getMessage());
    }
  }

  @Override
  public void inflateSpan(int spanId, InputStream src, long len, OutputStream dst)
      throws IOException {
    GzipCheckpoint cp = checkpoints.get(spanId);
    byte[] scratch = new byte[DISCARD];
    try (NativeInflater z = new NativeInflater(LibZ.WINDOW_BITS_RAW)) {
      new SpanInflation(z, spanId, new StreamSource(src))
          .run(
              cp,
              0,
              len,
              (seg, n) -> {
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, scratch, 0, n);
                dst.write(scratch, 0, n);
              });
    }
  }

  /** Where a span's compressed bytes come from. */
  private interface Source {
    /** Copies up to {@code max} bytes into {@code in}; answers how many, or -1 at the end. */
    int fill(MemorySegment in, int max) throws IOException;

    /** One byte, or -1 at the end. */
    int next() throws IOException;
  }

  private static final class ArraySource implements Source {
    private final byte[] src;
    private final int end;
    private int pos;

    ArraySource(byte[] src, int off, int len) {
      this.src = src;
      this.pos = off;
      this.end = off + len;
    }

    @Override
    public int fill(MemorySegment in, int max) {
      int n = Math.min(max, end - pos);
      if (n <= 0) {
        return -1;
      }
      MemorySegment.copy(src, pos, in, ValueLayout.JAVA_BYTE, 0, n);
      pos += n;
      return n;
    }

    @Override
    public int next() {
      return pos < end ? src[pos++] & 0xff : -1;
    }
  }

  private static final class StreamSource implements Source {
    private final InputStream src;
    private final byte[] buf = new byte[CHUNK];

    StreamSource(InputStream src) {
      this.src = src;
    }

    @Override
    public int fill(MemorySegment in, int max) throws IOException {
      int n = src.read(buf, 0, Math.min(max, buf.length));
      if (n > 0) {
        MemorySegment.copy(buf, 0, in, ValueLayout.JAVA_BYTE, 0, n);
      }
      return n;
    }

    @Override
    public int next() throws IOException {
      return src.read();
    }
  }

  /** Where inflated bytes go, a scratch segment's first {@code n} bytes at a time. */
  private interface Sink {
    void put(MemorySegment out, int n) throws IOException;
  }

  /** One extraction: feeds the span's bytes through a raw inflater, crossing gzip members. */
  private static final class SpanInflation {
    private final NativeInflater z;
    private final int spanId;
    private final Source src;
    private final MemorySegment in;
    private final MemorySegment out;
    private int inFill;
    private boolean raw = true;

    SpanInflation(NativeInflater z, int spanId, Source src) {
      this.z = z;
      this.spanId = spanId;
      this.src = src;
      this.in = z.arena().allocate(CHUNK);
      this.out = z.arena().allocate(DISCARD);
    }

    void run(GzipCheckpoint cp, long skip, long len, Sink sink) throws IOException {
      if (cp.bits() != 0) {
        int first = src.next();
        if (first < 0) {
          throw error("no compressed bytes supplied");
        }
        z.prime(cp.bits(), first >> (8 - cp.bits()));
      }
      cp.setDictionaryOf(z);
      z.setInput(in, 0, 0);
      long toSkip = skip;
      while (toSkip > 0) {
        int n = (int) Math.min(toSkip, DISCARD);
        produce(n);
        toSkip -= n;
      }
      long done = 0;
      while (done < len) {
        int n = (int) Math.min(len - done, DISCARD);
        produce(n);
        sink.put(out, n);
        done += n;
      }
    }

    /** Inflates exactly {@code n} bytes into the scratch segment. */
    private void produce(int n) throws IOException {
      z.setOutput(out, 0, n);
      while (z.availOut() > 0) {
        if (z.availIn() == 0) {
          refill();
        }
        int ret = z.inflate(LibZ.Z_NO_FLUSH);
        if (ret == LibZ.Z_STREAM_END) {
          if (z.availOut() > 0) {
            nextMember();
          }
        } else if (ret != LibZ.Z_OK && ret != LibZ.Z_BUF_ERROR) {
          throw error("corrupt deflate data (zlib " + ret + " " + z.message() + ")");
        } else if (ret == LibZ.Z_BUF_ERROR && z.availIn() == 0) {
          refill();
        }
      }
    }

    private void refill() throws IOException {
      int n = src.fill(in, CHUNK);
      if (n <= 0) {
        throw error("compressed data ends before the requested range");
      }
      inFill = n;
      z.setInput(in, 0, n);
    }

    /** At the end of a member: skip the raw stream's trailer, then let zlib parse the header. */
    private void nextMember() throws IOException {
      if (raw) {
        int trailer = TRAILER_SIZE;
        while (trailer > 0) {
          if (z.availIn() == 0) {
            refill();
          }
          int n = Math.min(trailer, z.availIn());
          int avail = z.availIn();
          z.setInput(in, inFill - avail + n, avail - n);
          trailer -= n;
        }
        raw = false;
      }
      int avail = z.availIn();
      z.reset(LibZ.WINDOW_BITS_AUTO);
      z.setInput(in, inFill - avail, avail);
    }

    private ZtocException error(String what) {
      return new ZtocException("gzip span " + spanId + ": " + what);
    }
  }
}
