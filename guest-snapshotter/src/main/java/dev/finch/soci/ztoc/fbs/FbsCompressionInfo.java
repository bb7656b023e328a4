package dev.finch.soci.ztoc.fbs;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import java.nio.ByteBuffer;

/**
 * {@code table CompressionInfo { compression_algorithm:CompressionAlgorithm = Gzip;
 * max_span_id:int; span_digests:[string]; checkpoints:[ubyte]; }}.
 */
public final class FbsCompressionInfo extends Table {
  /** {@code enum CompressionAlgorithm : byte { Gzip = 1, Uncompressed = 2 }}. */
  public static final byte ALGORITHM_GZIP = 1;

  public static final byte ALGORITHM_UNCOMPRESSED = 2;

  private static final int SLOT_ALGORITHM = 0;
  private static final int SLOT_MAX_SPAN_ID = 1;
  private static final int SLOT_SPAN_DIGESTS = 2;
  private static final int SLOT_CHECKPOINTS = 3;
  private static final int FIELDS = 4;

  FbsCompressionInfo init(int pos, ByteBuffer buf) {
    __reset(pos, buf);
    return this;
  }

  public byte algorithm() {
    int o = __offset(Slots.vt(SLOT_ALGORITHM));
    return o == 0 ? ALGORITHM_GZIP : bb.get(bb_pos + o);
  }

  public int maxSpanId() {
    int o = __offset(Slots.vt(SLOT_MAX_SPAN_ID));
    return o == 0 ? 0 : bb.getInt(bb_pos + o);
  }

  public int spanDigestsLength() {
    int o = __offset(Slots.vt(SLOT_SPAN_DIGESTS));
    return o == 0 ? 0 : __vector_len(o);
  }

  public String spanDigest(int j) {
    int o = __offset(Slots.vt(SLOT_SPAN_DIGESTS));
    return __string(__vector(o) + j * Integer.BYTES);
  }

  /** Where the checkpoints vector's bytes start in the zTOC's buffer, or -1 without one. */
  public int checkpointsPosition() {
    int o = __offset(Slots.vt(SLOT_CHECKPOINTS));
    return o == 0 ? -1 : __vector(o);
  }

  /** The checkpoints vector where it lies in the zTOC's buffer (heap or mapped), not copied. */
  public java.lang.foreign.MemorySegment checkpointSegment() {
    int o = __offset(Slots.vt(SLOT_CHECKPOINTS));
    if (o == 0) {
      return java.lang.foreign.MemorySegment.ofArray(new byte[0]);
    }
    return java.lang.foreign.MemorySegment.ofBuffer(bb.duplicate().clear())
        .asSlice(__vector(o), __vector_len(o));
  }

  public static void start(FlatBufferBuilder b) {
    b.startTable(FIELDS);
  }

  public static void addMaxSpanId(FlatBufferBuilder b, int v) {
    b.addInt(SLOT_MAX_SPAN_ID, v, 0);
  }

  public static void addSpanDigests(FlatBufferBuilder b, int vector) {
    b.addOffset(SLOT_SPAN_DIGESTS, vector, 0);
  }

  public static void addCheckpoints(FlatBufferBuilder b, int vector) {
    b.addOffset(SLOT_CHECKPOINTS, vector, 0);
  }

  /** Written by the reference only when the algorithm is set; Gzip equals the default. */
  public static void addAlgorithm(FlatBufferBuilder b, byte v) {
    b.addByte(SLOT_ALGORITHM, v, ALGORITHM_GZIP);
  }

  public static int end(FlatBufferBuilder b) {
    return b.endTable();
  }
}
