package dev.finch.soci.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Every failure is a one-line ZtocException naming the layer and what was expected. */
class ZtocErrorsTest {
  private static final long SPAN = 65536;

  private static ZtocBuilder.Result build(byte[] blob, Compression c) throws Exception {
    return new ZtocBuilder(SPAN).build(new ByteArrayInputStream(blob), c, Digest.sha256(blob));
  }

  @Test
  void truncatedGzip() {
    byte[] gz = Vectors.bytes("layer.tar.gz");
    byte[] cut = Arrays.copyOf(gz, 200_000);
    assertThatThrownBy(() -> build(cut, Compression.GZIP))
        .isInstanceOf(ZtocException.class)
        .hasMessage(
            "layer " + Digest.sha256(cut) + ": gzip stream truncated at compressed offset 200000");
  }

  @Test
  void corruptGzip() {
    byte[] gz = Vectors.bytes("layer.tar.gz").clone();
    for (int i = 150_000; i < 150_064; i++) {
      gz[i] ^= (byte) 0x5a;
    }
    assertThatThrownBy(() -> build(gz, Compression.GZIP))
        .isInstanceOf(ZtocException.class)
        .hasMessageStartingWith("layer " + Digest.sha256(gz) + ": ")
        .message()
        .matches(m -> !m.contains("\n"), "one line")
        .satisfiesAnyOf(
            m -> assertThat(m).contains("corrupt gzip data at compressed offset"),
            m -> assertThat(m).contains("not a valid tar"));
  }

  @Test
  void notGzipAtAll() {
    byte[] tar = Vectors.bytes("layer.tar");
    assertThatThrownBy(() -> build(tar, Compression.GZIP))
        .hasMessage(
            "layer "
                + Digest.sha256(tar)
                + ": corrupt gzip data at compressed offset 2: incorrect header check");
  }

  @Test
  void notATar() {
    byte[] junk = new byte[4096];
    new Random(7).nextBytes(junk);
    byte[] gz = TarFixtures.gzip(junk);
    assertThatThrownBy(() -> build(gz, Compression.GZIP))
        .isInstanceOf(ZtocException.class)
        .hasMessageStartingWith("layer " + Digest.sha256(gz) + ": not a valid tar: ")
        .hasMessageContaining("offset 0");
  }

  @Test
  void tarEndingInsideAnEntry() {
    byte[] tar = Arrays.copyOf(Vectors.bytes("layer.tar"), 100_000);
    assertThatThrownBy(() -> build(tar, Compression.UNCOMPRESSED))
        .hasMessage(
            "layer "
                + Digest.sha256(tar)
                + ": not a valid tar: unexpected end of data at uncompressed offset 100000");
  }

  @Test
  void zstdIsSkippedNotFailed() {
    assertThatThrownBy(() -> build(new byte[10], Compression.ZSTD))
        .isInstanceOf(UnsupportedLayerException.class)
        .hasMessage("skipped: zstd layers are not supported");
  }

  @Test
  void dotDotNamesAreRefused() {
    byte[] gz =
        TarFixtures.gzip(
            TarFixtures.tar(
                TarFixtures.entry("ok.txt", '0', "x".getBytes(StandardCharsets.UTF_8)),
                TarFixtures.entry("a/../../etc/passwd", '0', new byte[3])));
    assertThatThrownBy(() -> build(gz, Compression.GZIP))
        .hasMessage(
            "layer "
                + Digest.sha256(gz)
                + ": tar entry \"a/../../etc/passwd\" contains"
                + " a \"..\" path element; refusing an entry that could escape the layer root");
  }

  @Test
  void dotDotHardlinkTargetsAreRefused() {
    byte[] tar = TarFixtures.tar(TarFixtures.entry("h", '1', new byte[0]));
    System.arraycopy("../x".getBytes(StandardCharsets.UTF_8), 0, tar, 157, 4);
    fixChecksum(tar);
    assertThatThrownBy(() -> build(tar, Compression.UNCOMPRESSED))
        .hasMessageContaining("hardlink target of \"h\" \"../x\" contains a \"..\" path element");
  }

  @Test
  void paxGlobalHeaderIsUnsupported() {
    byte[] body = TarFixtures.paxRecord("comment", "hi").getBytes(StandardCharsets.UTF_8);
    byte[] tar =
        TarFixtures.tar(
            TarFixtures.entry("pax_global_header", 'g', body),
            TarFixtures.entry("f", '0', new byte[1]));
    assertThatThrownBy(() -> build(tar, Compression.UNCOMPRESSED))
        .hasMessage(
            "layer "
                + Digest.sha256(tar)
                + ": unsupported input tar entry 'g' (PAX global header) at offset 0");
  }

  @Test
  void unknownTypeflagIsUnsupported() {
    byte[] tar = TarFixtures.tar(TarFixtures.entry("vol", 'V', new byte[0]));
    assertThatThrownBy(() -> build(tar, Compression.UNCOMPRESSED))
        .hasMessage(
            "layer " + Digest.sha256(tar) + ": unsupported input tar entry 'V' at offset 0");
  }

  @Test
  void blobDigestIsVerified() {
    byte[] gz = Vectors.bytes("layer.tar.gz");
    Digest wrong = Digest.sha256(new byte[0]);
    assertThatThrownBy(
            () ->
                new ZtocBuilder(SPAN).build(new ByteArrayInputStream(gz), Compression.GZIP, wrong))
        .hasMessage(
            "layer "
                + wrong
                + ": blob digest mismatch: expected "
                + wrong
                + ", got "
                + Digest.sha256(gz));
  }

  @Test
  void tamperedSpanIsRejectedBeforeInflating() throws Exception {
    byte[] gz = Vectors.bytes("layer.tar.gz");
    Ztoc z = ZtocCodec.decode(Vectors.bytes("layer.ztoc.span65536.bin"));
    byte[] bad = gz.clone();
    bad[260_000] ^= 1;
    ZtocFileReader reader = new ZtocFileReader(z, RandomLayerTest.memory(bad));
    assertThat(reader.readFile("etc/hello.txt")).asString(StandardCharsets.UTF_8).isNotEmpty();
    assertThatThrownBy(() -> reader.readFile("bin/text.txt"))
        .hasMessage(
            "span 4 digest mismatch: expected "
                + z.compressionInfo().spanDigests().get(4)
                + ", got "
                + Digest.sha256(Arrays.copyOfRange(bad, 254_133, 313_733)));
  }

  @Test
  void overlappingEntriesAreRejectedOnDecode() {
    FileMetadata a =
        new FileMetadata(
            "a", "reg", 512, 2000, "", 0, 0, 0, "", "", GoTime.ZERO, 0, 0, new TreeMap<>(), 0);
    FileMetadata b =
        new FileMetadata(
            "b", "reg", 1024, 10, "", 0, 0, 0, "", "", GoTime.ZERO, 0, 0, new TreeMap<>(), 0);
    byte[] bytes =
        ZtocCodec.encode(
            new Ztoc(
                "0.9",
                "t",
                1,
                1,
                List.of(a, b),
                new CompressionInfo(Compression.GZIP, 0, List.of(), new byte[0])));
    assertThatThrownBy(() -> ZtocCodec.decode(bytes))
        .hasMessage(
            "zTOC: invalid toc entry \"b\": data at offset 1024 overlaps the previous entry"
                + " ending at 2560");
  }

  @Test
  void dotDotNamesAreRefusedOnDecode() {
    FileMetadata a =
        new FileMetadata(
            "../evil", "reg", 512, 1, "", 0, 0, 0, "", "", GoTime.ZERO, 0, 0, new TreeMap<>(), 0);
    byte[] bytes =
        ZtocCodec.encode(
            new Ztoc(
                "0.9",
                "t",
                1,
                1,
                List.of(a),
                new CompressionInfo(Compression.GZIP, 0, List.of(), new byte[0])));
    assertThatThrownBy(() -> ZtocCodec.decode(bytes))
        .hasMessageStartingWith("zTOC entry \"../evil\" contains a \"..\" path element");
  }

  @Test
  void missingAndNonRegularFiles() throws Exception {
    Ztoc z = ZtocCodec.decode(Vectors.bytes("layer.ztoc.span65536.bin"));
    ZtocFileReader reader =
        new ZtocFileReader(z, RandomLayerTest.memory(Vectors.bytes("layer.tar.gz")));
    assertThatThrownBy(() -> reader.readFile("nope")).hasMessage("file \"nope\" not found in zTOC");
    assertThatThrownBy(() -> reader.readFile("/etc"))
        .hasMessage("\"/etc\" is a dir, expected a regular file");
    assertThatThrownBy(() -> reader.readFile("bin/link"))
        .hasMessage("\"bin/link\" is a symlink, expected a regular file");
  }

  private static void fixChecksum(byte[] tar) {
    for (int i = 148; i < 156; i++) {
      tar[i] = ' ';
    }
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += tar[i] & 0xff;
    }
    byte[] oct = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(oct, 0, tar, 148, 8);
  }
}
