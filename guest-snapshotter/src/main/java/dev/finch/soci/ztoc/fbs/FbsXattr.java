package dev.finch.soci.ztoc.fbs;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;

/** {@code table Xattr { key:string; value:string; }}. */
public final class FbsXattr extends Table {
  private static final int SLOT_KEY = 0;
  private static final int SLOT_VALUE = 1;

  FbsXattr init(int pos, ByteBuffer buf) {
    __reset(pos, buf);
    return this;
  }

  public String key() {
    int o = __offset(Slots.vt(SLOT_KEY));
    return o == 0 ? "" : __string(bb_pos + o);
  }

  public String value() {
    int o = __offset(Slots.vt(SLOT_VALUE));
    return o == 0 ? "" : __string(bb_pos + o);
  }

  /** Builds one Xattr table; the strings must already be in the builder. */
  public static int create(FlatBufferBuilder b, int key, int value) {
    b.startTable(2);
    b.addOffset(SLOT_KEY, key, 0);
    b.addOffset(SLOT_VALUE, value, 0);
    return b.endTable();
  }
}
