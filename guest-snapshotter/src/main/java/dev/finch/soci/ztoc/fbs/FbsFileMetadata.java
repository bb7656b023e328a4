package dev.finch.soci.ztoc.fbs;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;

/** {@code table FileMetadata} of ztoc.fbs (14 fields, slot = field order). */
public final class FbsFileMetadata extends Table {
  public static final int SLOT_NAME = 0;
  public static final int SLOT_TYPE = 1;
  public static final int SLOT_UNCOMPRESSED_OFFSET = 2;
  public static final int SLOT_UNCOMPRESSED_SIZE = 3;
  public static final int SLOT_LINKNAME = 4;
  public static final int SLOT_MODE = 5;
  public static final int SLOT_UID = 6;
  public static final int SLOT_GID = 7;
  public static final int SLOT_UNAME = 8;
  public static final int SLOT_GNAME = 9;
  public static final int SLOT_MOD_TIME = 10;
  public static final int SLOT_DEVMAJOR = 11;
  public static final int SLOT_DEVMINOR = 12;
  public static final int SLOT_XATTRS = 13;
  public static final int FIELDS = 14;

  FbsFileMetadata init(int pos, ByteBuffer buf) {
    __reset(pos, buf);
    return this;
  }

  public String string(int slot) {
    int o = __offset(Slots.vt(slot));
    return o == 0 ? "" : __string(bb_pos + o);
  }

  public long int64(int slot) {
    int o = __offset(Slots.vt(slot));
    return o == 0 ? 0L : bb.getLong(bb_pos + o);
  }

  public long uint32(int slot) {
    int o = __offset(Slots.vt(slot));
    return o == 0 ? 0L : Integer.toUnsignedLong(bb.getInt(bb_pos + o));
  }

  public int xattrsLength() {
    int o = __offset(Slots.vt(SLOT_XATTRS));
    return o == 0 ? 0 : __vector_len(o);
  }

  public FbsXattr xattr(int j) {
    int o = __offset(Slots.vt(SLOT_XATTRS));
    return new FbsXattr().init(__indirect(__vector(o) + j * Integer.BYTES), bb);
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

  public static void addUint32(FlatBufferBuilder b, int slot, long v) {
    b.addInt(slot, (int) v, 0);
  }

  public static int end(FlatBufferBuilder b) {
    return b.endTable();
  }
}
