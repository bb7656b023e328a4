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
