package dev.finch.soci.ztoc.fbs;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code table Ztoc { version:string; build_tool_identifier:string; compressed_archive_size:long;
 * uncompressed_archive_size:long; toc:TOC; compression_info:CompressionInfo; }} (root type) and
 * {@code table TOC { metadata:[FileMetadata]; }}.
 */
public final class FbsZtoc extends Table {
  public static final int SLOT_VERSION = 0;
  public static final int SLOT_BUILD_TOOL = 1;
  public static final int SLOT_COMPRESSED_SIZE = 2;
  public static final int SLOT_UNCOMPRESSED_SIZE = 3;
  public static final int SLOT_TOC = 4;
  public static final int SLOT_COMPRESSION_INFO = 5;
  private static final int FIELDS = 6;
  private static final int TOC_SLOT_METADATA = 0;

  /** Reads the root table of the buffer's bytes, from its index 0 (a heap or a mapped buffer). */
  public static FbsZtoc root(ByteBuffer buffer) {
    ByteBuffer bb = buffer.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    FbsZtoc t = new FbsZtoc();
    t.__reset(bb.getInt(0), bb);
    return t;
  }

  public String version() {
    int o = __offset(Slots.vt(SLOT_VERSION));
    return o == 0 ? "" : __string(bb_pos + o);
  }

  public String buildToolIdentifier() {
    int o = __offset(Slots.vt(SLOT_BUILD_TOOL));
    return o == 0 ? "" : __string(bb_pos + o);
  }

  public long compressedArchiveSize() {
    int o = __offset(Slots.vt(SLOT_COMPRESSED_SIZE));
    return o == 0 ? 0 : bb.getLong(bb_pos + o);
  }

  public long uncompressedArchiveSize() {
    int o = __offset(Slots.vt(SLOT_UNCOMPRESSED_SIZE));
    return o == 0 ? 0 : bb.getLong(bb_pos + o);
  }

  /** Number of TOC entries (0 when the TOC table is absent). */
  public int metadataLength() {
    int vector = metadataVector();
    return vector == 0 ? 0 : bb.getInt(vector);
  }

  public FbsFileMetadata metadata(int j) {
    int elements = metadataVector() + Integer.BYTES;
    int slot = elements + j * Integer.BYTES;
    return new FbsFileMetadata().init(slot + bb.getInt(slot), bb);
  }

  /** The CompressionInfo table, or null when absent. */
  public FbsCompressionInfo compressionInfo() {
    int o = __offset(Slots.vt(SLOT_COMPRESSION_INFO));
    return o == 0 ? null : new FbsCompressionInfo().init(__indirect(bb_pos + o), bb);
  }

  private int metadataVector() {
    int o = __offset(Slots.vt(SLOT_TOC));
    if (o == 0) {
      return 0;
    }
    int toc = __indirect(bb_pos + o);
    int vtable = toc - bb.getInt(toc);
    int vtableSize = bb.getShort(vtable);
    int field = Slots.vt(TOC_SLOT_METADATA);
    int fo = field < vtableSize ? bb.getShort(vtable + field) : 0;
    if (fo == 0) {
      return 0;
    }
    int ref = toc + fo;
    return ref + bb.getInt(ref);
  }

  /** Builds {@code TOC { metadata }} from an already built vector. */
  public static int createToc(FlatBufferBuilder b, int metadataVector) {
    b.startTable(1);
    b.addOffset(TOC_SLOT_METADATA, metadataVector, 0);
    return b.endTable();
  }

  public static void start(FlatBufferBuilder b) {
    b.startTable(FIELDS);
  }

  public static void addOffset(FlatBufferBuilder b, int slot, int offset) {
    b.addOffset(slot, offset, 0);
  }

  public static void addInt64(FlatBufferBuilder b, int slot, long v) {
    b.addLong(slot, v, 0L);
  }

  public static int end(FlatBufferBuilder b) {
    return b.endTable();
  }

  /** Builds a vector of offsets in the reference's order (prepend last to first). */
  public static int offsetVector(FlatBufferBuilder b, int[] offsets) {
    b.startVector(Integer.BYTES, offsets.length, Integer.BYTES);
    for (int i = offsets.length - 1; i >= 0; i--) {
      b.addOffset(offsets[i]);
    }
    return b.endVector();
  }
}
