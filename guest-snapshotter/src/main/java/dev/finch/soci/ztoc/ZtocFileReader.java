package dev.finch.soci.ztoc;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.ztoc.compression.Zinfo;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads files out of a layer using its zTOC, fetching only the spans that cover the file and
 * verifying each span's sha256 against {@code span_digests} before inflating it (a registry or
 * cache must never be trusted). Used by {@code soci ztoc get-file} and by the lazy filesystem.
 *
 * <p>Memory is bounded by one span (compressed plus uncompressed), not by the file size.
 */
public final class ZtocFileReader {
  private final Ztoc ztoc;
  private final Zinfo zinfo;
  private final CompressedSource source;
  private final Map<String, FileMetadata> byName = new HashMap<>();

  private int cachedSpan = -1;
  private byte[] cachedBytes;

  public ZtocFileReader(Ztoc ztoc, CompressedSource source) throws ZtocException {
    this.ztoc = ztoc;
    this.source = source;
    this.zinfo = ztoc.compressionInfo().zinfo();
    if (ztoc.compressionInfo().spanDigests().size() != zinfo.maxSpanId() + 1) {
      throw new ZtocException(
          "zTOC: expected "
              + (zinfo.maxSpanId() + 1)
              + " span digests, got "
              + ztoc.compressionInfo().spanDigests().size());
    }
    for (FileMetadata m : ztoc.toc()) {
      byName.put(m.cleanName(), m);
    }
  }

  /** Finds an entry by name; {@code ./a}, {@code /a} and {@code a} are the same file. */
  public Optional<FileMetadata> find(String name) {
    return Optional.ofNullable(byName.get(TocValidation.cleanPath(name)));
  }

  /** Returns a regular file's bytes (follows a hardlink to its target). */
  public byte[] readFile(String name) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    copyFile(name, out);
    return out.toByteArray();
  }

  /** Streams a regular file's bytes to {@code out}; returns the byte count. */
  public long copyFile(String name, OutputStream out) throws IOException {
    FileMetadata m = regularFile(name);
    copyRange(m.uncompressedOffset(), m.uncompressedSize(), out);
    return m.uncompressedSize();
  }

  /**
   * Reads up to {@code len} bytes of a regular file at {@code fileOffset} into {@code dst}; returns
   * the count (0 at or past the end), like a FUSE read.
   */
  public int read(FileMetadata file, long fileOffset, byte[] dst, int off, int len)
      throws IOException {
    long n = Math.min(len, Math.max(0, file.uncompressedSize() - fileOffset));
    if (n == 0) {
      return 0;
    }
    OutputStream sink =
        new OutputStream() {
          private int pos = off;

          @Override
          public void write(int b) {
            dst[pos++] = (byte) b;
          }

          @Override
          public void write(byte[] b, int o, int l) {
            System.arraycopy(b, o, dst, pos, l);
            pos += l;
          }
        };
    copyRange(file.uncompressedOffset() + fileOffset, n, sink);
    return (int) n;
  }

  private FileMetadata regularFile(String name) throws ZtocException {
    FileMetadata m =
        find(name)
            .orElseThrow(
                () ->
                    new ZtocException("file " + TocValidation.quote(name) + " not found in zTOC"));
    if (m.type().equals(FileMetadata.TYPE_HARDLINK)) {
      FileMetadata target =
          find(m.linkname())
              .orElseThrow(
                  () ->
                      new ZtocException(
                          "hardlink "
                              + TocValidation.quote(name)
                              + " points to missing "
                              + TocValidation.quote(m.linkname())));
      return requireRegular(name, target);
    }
    return requireRegular(name, m);
  }

  private static FileMetadata requireRegular(String name, FileMetadata m) throws ZtocException {
    if (!m.type().equals(FileMetadata.TYPE_REG)) {
      throw new ZtocException(
          TocValidation.quote(name) + " is a " + m.type() + ", expected a regular file");
    }
    return m;
  }

  /** Copies tar bytes {@code [start, start+length)} span by span. */
  private void copyRange(long start, long length, OutputStream out) throws IOException {
    if (length == 0) {
      return;
    }
    long end = start + length;
    long compressedSize = ztoc.compressedArchiveSize();
    int first = zinfo.spanIdForUncompressedOffset(start);
    int last = zinfo.spanIdForUncompressedOffset(end - 1);
    for (int s = first; s <= last; s++) {
      long spanStart = zinfo.startUncompressedOffset(s);
      long spanEnd =
          s == last ? end : zinfo.endUncompressedOffset(s, ztoc.uncompressedArchiveSize());
      long from = Math.max(start, spanStart);
      long to = Math.min(end, spanEnd);
      byte[] span = uncompressedSpan(s, compressedSize);
      out.write(span, Math.toIntExact(from - spanStart), Math.toIntExact(to - from));
    }
  }

  /**
   * The whole uncompressed span {@code s}, verified; the last one is kept, since consecutive reads
   * (small files next to each other in the tar) mostly fall in the same span.
   */
  private byte[] uncompressedSpan(int s, long compressedSize) throws IOException {
    synchronized (this) {
      if (s == cachedSpan) {
        return cachedBytes;
      }
    }
    long spanStart = zinfo.startUncompressedOffset(s);
    long spanEnd = zinfo.endUncompressedOffset(s, ztoc.uncompressedArchiveSize());
    byte[] compressed = fetchVerifiedSpan(s, compressedSize);
    byte[] all = new byte[Math.toIntExact(spanEnd - spanStart)];
    zinfo.extract(s, compressed, 0, compressed.length, spanStart, all, 0, all.length);
    synchronized (this) {
      cachedSpan = s;
      cachedBytes = all;
    }
    return all;
  }

  private byte[] fetchVerifiedSpan(int spanId, long compressedSize) throws IOException {
    long cStart = zinfo.startCompressedOffset(spanId);
    long cEnd = zinfo.endCompressedOffset(spanId, compressedSize);
    byte[] buf = new byte[Math.toIntExact(cEnd - cStart)];
    source.readFully(cStart, buf, 0, buf.length);
    Digest expected = ztoc.compressionInfo().spanDigests().get(spanId);
    Digest actual = Digest.sha256(buf);
    if (!expected.equals(actual)) {
      throw new ZtocException(
          "span " + spanId + " digest mismatch: expected " + expected + ", got " + actual);
    }
    return buf;
  }
}
