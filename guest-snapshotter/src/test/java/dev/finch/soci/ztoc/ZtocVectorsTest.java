package dev.finch.soci.ztoc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The zTOC bytes must equal the reference's, since their digest is published in SOCI indexes. */
class ZtocVectorsTest {
  private static final long SPAN = 65536;

  @Test
  void goldenZtocOfReferenceUnitTestIsReproduced() {
    FileMetadata zero =
        new FileMetadata("", "", 0, 0, "", 0, 0, 0, "", "", GoTime.ZERO, 0, 0, new TreeMap<>(), 0);
    Ztoc z =
        new Ztoc(
            "0.9",
            "AWS SOCI CLI",
            2000000,
            2500000,
            List.of(zero, zero),
            new CompressionInfo(Compression.GZIP, 3, List.of(), new byte[1 << 16]));
    byte[] bytes = ZtocCodec.encode(z);
    assertThat(bytes).hasSize(65928);
    assertThat(Digest.sha256(bytes))
        .hasToString("sha256:eba28fdf50b1b57543f57dd051b2468c1d4f57b64d2006c75aa4de1d03e6c7ec");
  }

  @Test
  void gzipLayerZtocIsByteIdentical() throws Exception {
    byte[] gz = Vectors.bytes("layer.tar.gz");
    ZtocBuilder.Result r =
        new ZtocBuilder(SPAN)
            .build(new ByteArrayInputStream(gz), Compression.GZIP, Digest.sha256(gz));
    byte[] expected = Vectors.bytes("layer.ztoc.span65536.bin");
    assertThat(r.encoded()).isEqualTo(expected);
    assertThat(r.size()).isEqualTo(198504);
    assertThat(r.digest()).isEqualTo(Digest.sha256(expected));
    assertThat(r.ztoc().uncompressedArchiveSize()).isEqualTo(505344);
    assertThat(r.ztoc().compressionInfo().checkpoints())
        .isEqualTo(Vectors.bytes("layer.zinfo.span65536.bin"));
  }

  @Test
  void tarLayerZtocIsByteIdentical() throws Exception {
    byte[] tar = Vectors.bytes("layer.tar");
    ZtocBuilder.Result r =
        new ZtocBuilder(SPAN)
            .build(new ByteArrayInputStream(tar), Compression.UNCOMPRESSED, Digest.sha256(tar));
    assertThat(r.encoded()).isEqualTo(Vectors.bytes("layer.tar.ztoc.span65536.bin"));
    assertThat(r.ztoc().compressionInfo().checkpoints())
        .isEqualTo(Vectors.bytes("layer.tar.tarzinfo.bin"));
    assertThat(r.ztoc().compressionInfo().maxSpanId()).isEqualTo(7);
  }

  @Test
  void tocMatchesVectorJson() throws Exception {
    JsonNode v = new ObjectMapper().readTree(Vectors.path("layer.vector.span65536.json").toFile());
    Ztoc z = ZtocCodec.decode(Vectors.bytes("layer.ztoc.span65536.bin"));
    assertThat(z.version()).isEqualTo(Ztoc.VERSION_09);
    assertThat(z.buildToolIdentifier()).isEqualTo(Ztoc.BUILD_TOOL_IDENTIFIER);
    assertThat(z.compressedArchiveSize()).isEqualTo(v.get("layer_gz_size").asLong());
    assertThat(z.compressionInfo().maxSpanId()).isEqualTo(v.get("max_span_id").asInt());
    JsonNode files = v.get("files");
    assertThat(z.toc()).hasSize(files.size());
    for (int i = 0; i < files.size(); i++) {
      JsonNode f = files.get(i);
      FileMetadata m = z.toc().get(i);
      assertThat(
              Map.of(
                  "name",
                  m.name(),
                  "type",
                  m.type(),
                  "linkname",
                  m.linkname(),
                  "mod_time",
                  m.modTime(),
                  "offset",
                  m.uncompressedOffset(),
                  "size",
                  m.uncompressedSize(),
                  "mode",
                  m.mode()))
          .isEqualTo(
              Map.of(
                  "name",
                  f.get("name").asText(),
                  "type",
                  f.get("type").asText(),
                  "linkname",
                  f.get("linkname").asText(),
                  "mod_time",
                  f.get("mod_time").asText(),
                  "offset",
                  f.get("offset").asLong(),
                  "size",
                  f.get("size").asLong(),
                  "mode",
                  f.get("mode").asLong()));
    }
    assertThat(ZtocCodec.encode(z)).isEqualTo(Vectors.bytes("layer.ztoc.span65536.bin"));
    Ztoc t = ZtocCodec.decode(Vectors.bytes("layer.tar.ztoc.span65536.bin"));
    assertThat(t.compressionInfo().algorithm()).isEqualTo(Compression.UNCOMPRESSED);
    assertThat(ZtocCodec.encode(t)).isEqualTo(Vectors.bytes("layer.tar.ztoc.span65536.bin"));
  }
}
