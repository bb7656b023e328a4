package dev.finch.soci.ztoc.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.Vectors;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TarZinfoTest {
  @Test
  void vectorBytesRoundTrip() throws Exception {
    byte[] bytes = Vectors.bytes("layer.tar.tarzinfo.bin");
    assertThat(HexFormat.of().formatHex(bytes))
        .isEqualTo(
            "140000000000000000000a001c0018000c000400"
                + "0a00000000d007000000000000000100000000000000000002000000");
    Zinfo z = Zinfo.of(Compression.UNCOMPRESSED, bytes);
    assertThat(z).isEqualTo(new TarZinfo(65536, 512000));
    assertThat(z.toBytes()).isEqualTo(bytes);
    assertThat(z.maxSpanId()).isEqualTo(7);
    assertThat(z.endCompressedOffset(7, 512000)).isEqualTo(512000);
    assertThat(z.spanIdForUncompressedOffset(65536)).isEqualTo(1);
  }

  @Test
  void maxSpanIdForExactMultiples() {
    assertThat(new TarZinfo(100, 1000).maxSpanId()).isEqualTo(9);
    assertThat(new TarZinfo(100, 1001).maxSpanId()).isEqualTo(10);
    assertThat(new TarZinfo(100, 99).maxSpanId()).isZero();
  }

  @Test
  void extractCopiesTheSliceAndRefusesRangesOutsideIt() throws Exception {
    TarZinfo z = new TarZinfo(4, 10);
    byte[] span = {4, 5, 6, 7};
    assertThat(z.extract(1, span, 5, 2)).containsExactly(5, 6);
    assertThatThrownBy(() -> z.extract(1, span, 7, 2))
        .isInstanceOf(ZtocException.class)
        .hasMessage("tar span 1: range [7, 9) is outside the 4 supplied bytes");
  }

  @Test
  void spanMapsBeyondIntSpansOrTheLayerAreRefused() {
    // was: maxSpanId() overflowed to a negative span count
    byte[] many = new TarZinfo(1, Long.MAX_VALUE).toBytes();
    assertThatThrownBy(() -> Zinfo.of(Compression.UNCOMPRESSED, many))
        .isInstanceOf(ZtocException.class)
        .hasMessageStartingWith("tar zinfo: span size 1 for 9223372036854775807 bytes:");
    byte[] huge = new TarZinfo(1L << 40, 1L << 41).toBytes();
    assertThatThrownBy(() -> Zinfo.of(Compression.UNCOMPRESSED, huge))
        .isInstanceOf(ZtocException.class);
    TarZinfo z = new TarZinfo(65536, 512000);
    assertThatThrownBy(() -> z.checkFits(1, 1))
        .isInstanceOf(ZtocException.class)
        .hasMessage("tar zinfo: 512000 bytes, but the zTOC's layer has 1 bytes (1 of tar)");
  }

  @Test
  void gzipCheckpointsOutOfOrderOrPastTheLayerAreRefused() throws Exception {
    // was: accepted; a span's compressed range then ended before it started
    assertThatThrownBy(() -> GzipZinfo.parse(gzipBlob(new long[] {10, 0}, new long[] {5, 100})))
        .isInstanceOf(ZtocException.class)
        .hasMessage(
            "gzip zinfo: checkpoint 1 (in 5, out 100) lies before checkpoint 0 (in 10, out 0)");
    assertThatThrownBy(() -> GzipZinfo.parse(gzipBlob(new long[] {10, 7})))
        .isInstanceOf(ZtocException.class)
        .hasMessage("gzip zinfo: checkpoint 0 must start at tar offset 0, got in 10, out 7");
    GzipZinfo ok = GzipZinfo.parse(gzipBlob(new long[] {10, 0}, new long[] {500, 9000}));
    ok.checkFits(501, 9001);
    assertThatThrownBy(() -> ok.checkFits(400, 9001))
        .isInstanceOf(ZtocException.class)
        .hasMessageStartingWith("gzip zinfo: checkpoint 1 (in 500, out 9000) lies past the");
  }

  /** A v2 gzip zinfo blob of checkpoints {in, out} with zero bits and windows. */
  private static byte[] gzipBlob(long[]... points) {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(
                GzipZinfo.BLOB_HEADER_SIZE + points.length * GzipZinfo.PACKED_CHECKPOINT_SIZE)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(points.length).putLong(4096);
    for (long[] p : points) {
      b.putLong(p[0]).putLong(p[1]).put((byte) 0).put(new byte[GzipCheckpoint.WINDOW_SIZE]);
    }
    return b.array();
  }

  @Test
  void malformedBlobs() {
    assertThatThrownBy(() -> Zinfo.of(Compression.GZIP, new byte[13]))
        .hasMessage("gzip zinfo: expected a positive checkpoint count, got 0");
    byte[] one = new byte[40];
    one[0] = 1;
    assertThatThrownBy(() -> Zinfo.of(Compression.GZIP, one))
        .hasMessage("gzip zinfo: 1 checkpoints need 32797 bytes (v2) or 12 bytes (v1), got 40");
    assertThatThrownBy(() -> Zinfo.of(Compression.ZSTD, new byte[0]))
        .hasMessage("zinfo: zstd layers are not supported");
  }
}
