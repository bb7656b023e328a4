package dev.finch.soci.ztoc;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.compression.Zinfo;
import dev.finch.soci.ztoc.compression.ZtocException;
import dev.finch.soci.ztoc.fbs.FbsCompressionInfo;
import dev.finch.soci.ztoc.fbs.FbsFileMetadata;
import dev.finch.soci.ztoc.fbs.FbsXattr;
import dev.finch.soci.ztoc.fbs.FbsZtoc;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Converts {@link Ztoc} to and from FlatBuffers bytes. Encoding follows the reference builder call
 * order exactly ({@code ztoc/ztoc_marshaler.go}: strings first, TOC entries last to first, then
 * checkpoints, span digests, CompressionInfo, Ztoc), because the zTOC digest published in a SOCI
 * index depends on every byte.
 */
public final class ZtocCodec {
  private static final long TAR_BLOCK = 512;

  private ZtocCodec() {}

  /** Encodes a zTOC; the result is byte-identical to what soci-snapshotter writes. */
  public static byte[] encode(Ztoc ztoc) {
    FlatBufferBuilder b = new FlatBufferBuilder(0);
    int version = b.createString(ztoc.version());
    int buildTool = b.createString(ztoc.buildToolIdentifier());
    int toc = encodeToc(b, ztoc.toc());

    CompressionInfo ci = ztoc.compressionInfo();
    int checkpoints = b.createByteVector(ci.checkpointData().asByteBuffer());
    int[] digestOffsets = new int[ci.spanDigests().size()];
    for (int i = 0; i < digestOffsets.length; i++) {
      digestOffsets[i] = b.createString(ci.spanDigests().get(i).toString());
    }
    int digests = FbsZtoc.offsetVector(b, digestOffsets);
    FbsCompressionInfo.start(b);
    FbsCompressionInfo.addMaxSpanId(b, ci.maxSpanId());
    FbsCompressionInfo.addSpanDigests(b, digests);
    FbsCompressionInfo.addCheckpoints(b, checkpoints);
    FbsCompressionInfo.addAlgorithm(b, algorithmCode(ci.algorithm()));
    int info = FbsCompressionInfo.end(b);

    FbsZtoc.start(b);
    FbsZtoc.addOffset(b, FbsZtoc.SLOT_VERSION, version);
    FbsZtoc.addOffset(b, FbsZtoc.SLOT_BUILD_TOOL, buildTool);
    FbsZtoc.addOffset(b, FbsZtoc.SLOT_TOC, toc);
    FbsZtoc.addInt64(b, FbsZtoc.SLOT_COMPRESSED_SIZE, ztoc.compressedArchiveSize());
    FbsZtoc.addInt64(b, FbsZtoc.SLOT_UNCOMPRESSED_SIZE, ztoc.uncompressedArchiveSize());
    FbsZtoc.addOffset(b, FbsZtoc.SLOT_COMPRESSION_INFO, info);
    b.finish(FbsZtoc.end(b));
    return b.sizedByteArray();
  }

  private static int encodeToc(FlatBufferBuilder b, List<FileMetadata> entries) {
    int[] offsets = new int[entries.size()];
    for (int i = entries.size() - 1; i >= 0; i--) {
      offsets[i] = encodeEntry(b, entries.get(i));
    }
    return FbsZtoc.createToc(b, FbsZtoc.offsetVector(b, offsets));
  }

  private static int encodeEntry(FlatBufferBuilder b, FileMetadata m) {
    int name = b.createString(m.name());
    int type = b.createString(m.type());
    int linkname = b.createString(m.linkname());
    int uname = b.createString(m.uname());
    int gname = b.createString(m.gname());
    int modTime = b.createString(m.modTime());
    int[] xattrs = new int[m.xattrs().size()];
    int k = 0;
    for (Map.Entry<String, String> e : m.xattrs().entrySet()) {
      int key = b.createString(e.getKey());
      int value = b.createString(e.getValue());
      xattrs[k++] = FbsXattr.create(b, key, value);
    }
    int xattrVector = FbsZtoc.offsetVector(b, xattrs);
    FbsFileMetadata.start(b);
    FbsFileMetadata.addOffset(b, FbsFileMetadata.SLOT_NAME, name);
    FbsFileMetadata.addOffset(b, FbsFileMetadata.SLOT_TYPE, type);
    FbsFileMetadata.addInt64(b, FbsFileMetadata.SLOT_UNCOMPRESSED_OFFSET, m.uncompressedOffset());
    FbsFileMetadata.addInt64(b, FbsFileMetadata.SLOT_UNCOMPRESSED_SIZE, m.uncompressedSize());
    FbsFileMetadata.addOffset(b, FbsFileMetadata.SLOT_LINKNAME, linkname);
    FbsFileMetadata.addInt64(b, FbsFileMetadata.SLOT_MODE, m.mode());
    FbsFileMetadata.addUint32(b, FbsFileMetadata.SLOT_UID, m.uid());
    FbsFileMetadata.addUint32(b, FbsFileMetadata.SLOT_GID, m.gid());
    FbsFileMetadata.addOffset(b, FbsFileMetadata.SLOT_UNAME, uname);
    FbsFileMetadata.addOffset(b, FbsFileMetadata.SLOT_GNAME, gname);
    FbsFileMetadata.addOffset(b, FbsFileMetadata.SLOT_MOD_TIME, modTime);
    FbsFileMetadata.addInt64(b, FbsFileMetadata.SLOT_DEVMAJOR, m.devmajor());
    FbsFileMetadata.addInt64(b, FbsFileMetadata.SLOT_DEVMINOR, m.devminor());
    FbsFileMetadata.addOffset(b, FbsFileMetadata.SLOT_XATTRS, xattrVector);
    return FbsFileMetadata.end(b);
  }

  private static byte algorithmCode(Compression algorithm) {
    return switch (algorithm) {
      case GZIP -> FbsCompressionInfo.ALGORITHM_GZIP;
      case UNCOMPRESSED, UNKNOWN -> FbsCompressionInfo.ALGORITHM_UNCOMPRESSED;
      case ZSTD ->
          throw new IllegalArgumentException("zTOC: zstd has no CompressionAlgorithm code");
    };
  }

  /**
   * Decodes a zTOC. Entries come back sorted by uncompressed offset with {@link
   * FileMetadata#tarHeaderOffset()} computed as the reference does; overlapping entries, unknown
   * algorithms, malformed digests and names with {@code ..} elements are rejected.
   */
  public static Ztoc decode(byte[] bytes) throws ZtocException {
    return decode(java.nio.ByteBuffer.wrap(bytes));
  }

  /**
   * {@link #decode(byte[])} from a buffer's bytes (index 0 to its limit), e.g. a memory-mapped zTOC
   * file: the checkpoints stay where they are (see {@link CompressionInfo#checkpointData()}).
   */
  public static Ztoc decode(java.nio.ByteBuffer bytes) throws ZtocException {
    try {
      return decodeUnchecked(bytes);
    } catch (IndexOutOfBoundsException | IllegalArgumentException | NullPointerException e) {
      throw new ZtocException("zTOC: malformed flatbuffer (" + bytes.limit() + " bytes): " + e, e);
    }
  }

  /**
   * The zTOC's {@code build_tool_identifier} alone, without decoding its TOC (a large layer's has
   * tens of thousands of entries).
   */
  public static String buildToolIdentifier(byte[] bytes) throws ZtocException {
    try {
      return FbsZtoc.root(java.nio.ByteBuffer.wrap(bytes)).buildToolIdentifier();
    } catch (IndexOutOfBoundsException | IllegalArgumentException | NullPointerException e) {
      throw new ZtocException("zTOC: malformed flatbuffer (" + bytes.length + " bytes): " + e, e);
    }
  }

  private static Ztoc decodeUnchecked(java.nio.ByteBuffer bytes) throws ZtocException {
    FbsZtoc z = FbsZtoc.root(bytes);
    int count = checkedLength("toc", z.metadataLength(), bytes.limit());
    List<FileMetadata> toc = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      FbsFileMetadata m = z.metadata(i);
      TreeMap<String, String> xattrs = new TreeMap<>();
      int xattrCount = checkedLength("xattrs", m.xattrsLength(), bytes.limit());
      for (int j = 0; j < xattrCount; j++) {
        FbsXattr x = m.xattr(j);
        xattrs.put(x.key(), x.value());
      }
      String name = m.string(FbsFileMetadata.SLOT_NAME);
      TocValidation.checkEntryName("zTOC entry", name);
      toc.add(
          new FileMetadata(
              name,
              m.string(FbsFileMetadata.SLOT_TYPE),
              m.int64(FbsFileMetadata.SLOT_UNCOMPRESSED_OFFSET),
              m.int64(FbsFileMetadata.SLOT_UNCOMPRESSED_SIZE),
              m.string(FbsFileMetadata.SLOT_LINKNAME),
              m.int64(FbsFileMetadata.SLOT_MODE),
              m.uint32(FbsFileMetadata.SLOT_UID),
              m.uint32(FbsFileMetadata.SLOT_GID),
              m.string(FbsFileMetadata.SLOT_UNAME),
              m.string(FbsFileMetadata.SLOT_GNAME),
              m.string(FbsFileMetadata.SLOT_MOD_TIME),
              m.int64(FbsFileMetadata.SLOT_DEVMAJOR),
              m.int64(FbsFileMetadata.SLOT_DEVMINOR),
              xattrs,
              0));
    }
    toc.sort(Comparator.comparingLong(FileMetadata::uncompressedOffset));
    List<FileMetadata> entries = withTarHeaderOffsets(toc);
    FbsCompressionInfo ci = z.compressionInfo();
    if (ci == null) {
      throw new ZtocException("zTOC: compression_info table is missing");
    }
    int spans = checkedLength("span_digests", ci.spanDigestsLength(), bytes.limit());
    List<Digest> digests = new ArrayList<>(spans);
    for (int i = 0; i < spans; i++) {
      String text = ci.spanDigest(i);
      if (!Digest.isDigest(text)) {
        throw new ZtocException(
            "zTOC: span " + i + " digest: expected sha256:<hex>, got " + TocValidation.quote(text));
      }
      digests.add(Digest.parse(text));
    }
    Compression algorithm =
        switch (ci.algorithm()) {
          case FbsCompressionInfo.ALGORITHM_GZIP -> Compression.GZIP;
          case FbsCompressionInfo.ALGORITHM_UNCOMPRESSED -> Compression.UNCOMPRESSED;
          default ->
              throw new ZtocException(
                  "zTOC: compression algorithm: expected 1 (gzip) or 2 (uncompressed), got "
                      + ci.algorithm());
        };
    CompressionInfo info =
        new CompressionInfo(algorithm, ci.maxSpanId(), digests, ci.checkpointSegment());
    checkSpans(info, z.compressedArchiveSize(), z.uncompressedArchiveSize());
    return new Ztoc(
        z.version(),
        z.buildToolIdentifier(),
        z.compressedArchiveSize(),
        z.uncompressedArchiveSize(),
        entries,
        info);
  }

  /**
   * A vector length as stored: each element takes at least 4 bytes of the buffer, so a length
   * beyond that is a lie, refused before anything is allocated for it.
   */
  private static int checkedLength(String vector, int length, int bufferBytes)
      throws ZtocException {
    if (length < 0 || length > bufferBytes / Integer.BYTES) {
      throw new ZtocException(
          "zTOC: "
              + vector
              + " vector claims "
              + length
              + " elements in "
              + bufferBytes
              + " bytes");
    }
    return length;
  }

  /**
   * The span map must parse, fit the layer's sizes and have one digest per span: the daemon reads
   * spans by these numbers alone (the checkpoint windows stay unread until a span is inflated).
   */
  private static void checkSpans(CompressionInfo info, long compressedSize, long uncompressedSize)
      throws ZtocException {
    if (compressedSize < 0 || uncompressedSize < 0) {
      throw new ZtocException(
          "zTOC: negative layer size (compressed "
              + compressedSize
              + ", tar "
              + uncompressedSize
              + ")");
    }
    Zinfo zinfo = info.zinfo();
    zinfo.checkFits(compressedSize, uncompressedSize);
    if (info.spanDigests().size() != zinfo.maxSpanId() + 1) {
      throw new ZtocException(
          "zTOC: "
              + (zinfo.maxSpanId() + 1)
              + " spans, but "
              + info.spanDigests().size()
              + " span digests");
    }
  }

  /**
   * Sets each entry's tar header offset to the previous entry's padded end (the first is 0), the
   * way the reference unmarshaler does; entries must be sorted by uncompressed offset.
   */
  static List<FileMetadata> withTarHeaderOffsets(List<FileMetadata> sorted) throws ZtocException {
    List<FileMetadata> out = new ArrayList<>(sorted.size());
    long next = 0;
    for (FileMetadata m : sorted) {
      if (next > m.uncompressedOffset()) {
        throw new ZtocException(
            "zTOC: invalid toc entry "
                + TocValidation.quote(m.name())
                + ": data at offset "
                + m.uncompressedOffset()
                + " overlaps the previous entry ending at "
                + next);
      }
      out.add(m.withTarHeaderOffset(next));
      next = alignToTarBlock(m.uncompressedOffset() + m.uncompressedSize());
    }
    return out;
  }

  static long alignToTarBlock(long offset) {
    return (offset + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
  }
}
