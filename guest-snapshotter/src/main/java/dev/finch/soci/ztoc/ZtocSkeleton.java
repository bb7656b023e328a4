package dev.finch.soci.ztoc;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.ztoc.compression.GzipCheckpoint;
import dev.finch.soci.ztoc.compression.GzipZinfo;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A gzip layer's zTOC without its checkpoint windows: our own artifact (media type {@link
 * #MEDIA_TYPE}), published next to the zTOC by {@code soci create --lazy-ztoc} and ignored by
 * daemons that do not know it. A zTOC's windows are 32 KiB of inflated output per checkpoint, most
 * of its bytes, and a container needs only those of the spans it reads. With the skeleton a daemon
 * fetches the TOC and the span map at mount (one small blob, verified by the digest the index lists
 * for it) and then each window by a range read of the zTOC blob, together with its span, checked
 * against the sha256 the skeleton holds for it: no byte is used unverified.
 *
 * <p>Layout, gzip-compressed as a whole: {@code "FZSKEL01"}; the zTOC's size (int64) and sha256 (32
 * bytes); the hole count (int32); per hole, in offset order, the span whose checkpoint it is
 * (int32), its offset in the zTOC (int64) and the sha256 of its {@link GzipCheckpoint#WINDOW_SIZE}
 * bytes; then every zTOC byte outside the holes, in order. Big-endian. Windows that are all zero
 * (the first checkpoint's) are not holes: they cost nothing compressed.
 *
 * @param ztoc the zTOC's digest
 * @param ztocSize the zTOC's length in bytes
 * @param holes the windows left out, in offset order
 * @param rest the zTOC's bytes outside the holes
 */
public record ZtocSkeleton(Digest ztoc, long ztocSize, List<Hole> holes, byte[] rest) {
  public static final String MEDIA_TYPE = "application/vnd.dev.finch.soci.ztoc-skeleton.v1+gzip";

  private static final byte[] MAGIC = "FZSKEL01".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final int W = GzipCheckpoint.WINDOW_SIZE;

  /** One left-out window: span {@code spanId}'s, at {@code offset} of the zTOC. */
  public record Hole(int spanId, long offset, Digest sha256) {}

  public ZtocSkeleton {
    holes = List.copyOf(holes);
  }

  /**
   * The skeleton of a zTOC, or null when it has no window worth leaving out (an uncompressed
   * layer's zTOC has none).
   */
  public static ZtocSkeleton of(byte[] ztocBytes) throws ZtocException {
    // only the span map is read: where the windows lie does not depend on the TOC
    dev.finch.soci.ztoc.fbs.FbsCompressionInfo ci;
    try {
      ci = dev.finch.soci.ztoc.fbs.FbsZtoc.root(ByteBuffer.wrap(ztocBytes)).compressionInfo();
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      throw new ZtocException("zTOC: malformed flatbuffer (" + ztocBytes.length + " bytes): " + e);
    }
    if (ci == null) {
      throw new ZtocException("zTOC: compression_info table is missing");
    }
    if (ci.algorithm() != dev.finch.soci.ztoc.fbs.FbsCompressionInfo.ALGORITHM_GZIP) {
      return null;
    }
    GzipZinfo zinfo = GzipZinfo.parse(ci.checkpointSegment());
    int base = ci.checkpointsPosition();
    // v1 blobs leave out the first checkpoint (it has no window): blob record i is span i + 1
    int firstSpan = zinfo.version() == GzipZinfo.VERSION_ONE ? 1 : 0;
    List<Hole> holes = new ArrayList<>();
    ByteArrayOutputStream rest = new ByteArrayOutputStream(ztocBytes.length / 4 + 64);
    int from = 0;
    for (int span = firstSpan; span < zinfo.checkpoints().size(); span++) {
      int at =
          base
              + GzipZinfo.BLOB_HEADER_SIZE
              + (span - firstSpan) * GzipZinfo.PACKED_CHECKPOINT_SIZE
              + GzipZinfo.WINDOW_OFFSET;
      if (allZero(ztocBytes, at)) {
        continue;
      }
      holes.add(new Hole(span, at, Digest.sha256(Arrays.copyOfRange(ztocBytes, at, at + W))));
      rest.write(ztocBytes, from, at - from);
      from = at + W;
    }
    if (holes.isEmpty()) {
      return null;
    }
    rest.write(ztocBytes, from, ztocBytes.length - from);
    return new ZtocSkeleton(Digest.sha256(ztocBytes), ztocBytes.length, holes, rest.toByteArray());
  }

  private static boolean allZero(byte[] b, int at) {
    for (int i = at; i < at + W; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The artifact's bytes. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(rest.length / 3 + 1024);
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes, 1 << 16))) {
      out.write(MAGIC);
      out.writeLong(ztocSize);
      out.write(java.util.HexFormat.of().parseHex(ztoc.hex()));
      out.writeInt(holes.size());
      for (Hole h : holes) {
        out.writeInt(h.spanId());
        out.writeLong(h.offset());
        out.write(java.util.HexFormat.of().parseHex(h.sha256().hex()));
      }
      out.write(rest);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // in memory: cannot happen
    }
    return bytes.toByteArray();
  }

  /**
   * Parses an artifact from a registry: the holes must be in order, apart, inside the zTOC, and the
   * rest exactly the zTOC's other bytes; a skeleton that claims more than {@code maxZtocSize} bytes
   * of zTOC is refused before anything is inflated past its header.
   */
  public static ZtocSkeleton parse(byte[] artifact, long maxZtocSize) throws ZtocException {
    try (DataInputStream in =
        new DataInputStream(
            new GZIPInputStream(new java.io.ByteArrayInputStream(artifact), 1 << 16))) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new ZtocException("zTOC skeleton: not a skeleton (bad magic)");
      }
      long size = in.readLong();
      if (size <= 0 || size > maxZtocSize) {
        throw new ZtocException(
            "zTOC skeleton: zTOC size " + size + " outside 1.." + maxZtocSize + " bytes");
      }
      Digest ztoc = Digest.fromSha256(read(in, 32));
      int count = in.readInt();
      if (count <= 0 || (long) count * W > size) {
        throw new ZtocException("zTOC skeleton: " + count + " holes in a " + size + "-byte zTOC");
      }
      List<Hole> holes = new ArrayList<>(count);
      long end = 0;
      int lastSpan = -1;
      for (int i = 0; i < count; i++) {
        int span = in.readInt();
        long offset = in.readLong();
        Digest sum = Digest.fromSha256(read(in, 32));
        if (span <= lastSpan || offset < end || offset > size - W) {
          throw new ZtocException(
              "zTOC skeleton: hole " + i + " (span " + span + " at " + offset + ") out of order");
        }
        holes.add(new Hole(span, offset, sum));
        lastSpan = span;
        end = offset + W;
      }
      long restLength = size - (long) count * W;
      if (restLength > Integer.MAX_VALUE - 8) {
        throw new ZtocException("zTOC skeleton: " + restLength + " bytes of TOC is too many");
      }
      byte[] rest = read(in, (int) restLength);
      if (in.read() >= 0) {
        throw new ZtocException("zTOC skeleton: bytes after the zTOC's " + size);
      }
      return new ZtocSkeleton(ztoc, size, holes, rest);
    } catch (EOFException e) {
      throw new ZtocException("zTOC skeleton: truncated");
    } catch (IOException e) {
      throw new ZtocException("zTOC skeleton: " + e.getMessage());
    }
  }

  private static byte[] read(InputStream in, int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new EOFException();
    }
    return b;
  }

  /**
   * Writes the zTOC with its holes unfilled (zeros; the file is sparse there) to {@code ch}, from
   * position 0, and sets its length.
   */
  public void writeSparse(FileChannel ch) throws IOException {
    ch.truncate(0);
    long pos = 0;
    int from = 0;
    for (Hole h : holes) {
      int n = (int) (h.offset() - pos);
      writeFully(ch, ByteBuffer.wrap(rest, from, n), pos);
      from += n;
      pos = h.offset() + W;
    }
    writeFully(ch, ByteBuffer.wrap(rest, from, rest.length - from), pos);
    if (ch.size() < ztocSize) {
      // the last hole ends the zTOC only if the zinfo blob is its last vector; make the length
      // right
      writeFully(ch, ByteBuffer.allocate(1), ztocSize - 1);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ZtocSkeleton s
        && ztoc.equals(s.ztoc)
        && ztocSize == s.ztocSize
        && holes.equals(s.holes)
        && Arrays.equals(rest, s.rest);
  }

  @Override
  public int hashCode() {
    return ztoc.hashCode();
  }

  @Override
  public String toString() {
    return "ZtocSkeleton[" + ztoc + ", " + ztocSize + " bytes, " + holes.size() + " holes]";
  }
}
