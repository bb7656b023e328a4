package dev.finch.soci.ztoc.fbs;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@code table TarZinfo { version:int32; span_size:int64; size:int64; }}. */
public final class FbsTarZinfo extends Table {
  private static final int SLOT_VERSION = 0;
  private static final int SLOT_SPAN_SIZE = 1;
  private static final int SLOT_SIZE = 2;
  private static final int FIELDS = 3;

  /** Reads the root table of {@code bytes}. */
  public static FbsTarZinfo root(byte[] bytes) {
    ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    FbsTarZinfo t = new FbsTarZinfo();
    t.__reset(bb.getInt(0), bb);
    return t;
  }

  public int version() {
    int o = __offset(Slots.vt(SLOT_VERSION));
    return o == 0 ? 0 : bb.getInt(bb_pos + o);
  }

  public long spanSize() {
    int o = __offset(Slots.vt(SLOT_SPAN_SIZE));
    return o == 0 ? 0 : bb.getLong(bb_pos + o);
  }

  public long size() {
    int o = __offset(Slots.vt(SLOT_SIZE));
    return o == 0 ? 0 : bb.getLong(bb_pos + o);
  }

  public static void start(FlatBufferBuilder b) {
    b.startTable(FIELDS);
  }

  public static void addVersion(FlatBufferBuilder b, int v) {
    b.addInt(SLOT_VERSION, v, 0);
  }

  public static void addSpanSize(FlatBufferBuilder b, long v) {
    b.addLong(SLOT_SPAN_SIZE, v, 0L);
  }

  public static void addSize(FlatBufferBuilder b, long v) {
    b.addLong(SLOT_SIZE, v, 0L);
  }

  public static int end(FlatBufferBuilder b) {
    return b.endTable();
  }
}
