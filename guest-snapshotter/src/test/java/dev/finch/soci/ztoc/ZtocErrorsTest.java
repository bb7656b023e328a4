package dev.finch.soci.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.compression.ZtocException;
import dev.finch.soci.ztoc.fbs.FbsZtoc;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
  void aPaxValueWithANewlineIsQuotedOnOneLine() {
    byte[] body = TarFixtures.paxRecord("mtime", "1700\n0").getBytes(StandardCharsets.UTF_8);
    byte[] tar =
        TarFixtures.tar(
            TarFixtures.entry("PaxHeader", 'x', body), TarFixtures.entry("f", '0', new byte[1]));
    // was: the value verbatim, a message of two lines
    assertThatThrownBy(() -> build(tar, Compression.UNCOMPRESSED))
        .hasMessage(
            "layer "
                + Digest.sha256(tar)
                + ": not a valid tar: PAX header at offset 1024: mtime \"1700\\n0\" is not a number");
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
  void aVectorLengthBeyondTheBufferIsRefusedBeforeAllocating() {
    FlatBufferBuilder b = new FlatBufferBuilder(0);
    int vector = FbsZtoc.offsetVector(b, new int[0]);
    int toc = FbsZtoc.createToc(b, vector);
    FbsZtoc.start(b);
    FbsZtoc.addOffset(b, FbsZtoc.SLOT_TOC, toc);
    b.finish(FbsZtoc.end(b));
    byte[] bytes = b.sizedByteArray();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - vector, 0x7fffffff);
    // was: OutOfMemoryError (an ArrayList of 2^31 - 1 entries)
    assertThatThrownBy(() -> ZtocCodec.decode(bytes))
        .isInstanceOf(ZtocException.class)
        .hasMessage("zTOC: toc vector claims 2147483647 elements in " + bytes.length + " bytes");
  }

  @Test
  void spanDigestsMustMatchTheSpansAndTheSpansTheLayer() throws Exception {
    byte[] tar = ZtocFuzzTargets.sampleTar();
    Ztoc z = build(tar, Compression.UNCOMPRESSED).ztoc();
    CompressionInfo ci = z.compressionInfo();
    List<Digest> fewer = ci.spanDigests().subList(1, ci.spanDigests().size());
    byte[] missing =
        ZtocCodec.encode(
            new Ztoc(
                z.version(),
                z.buildToolIdentifier(),
                z.compressedArchiveSize(),
                z.uncompressedArchiveSize(),
                z.toc(),
                new CompressionInfo(ci.algorithm(), ci.maxSpanId(), fewer, ci.checkpoints())));
    // was: accepted, then IndexOutOfBoundsException reading the last span's digest
    assertThatThrownBy(() -> ZtocCodec.decode(missing))
        .isInstanceOf(ZtocException.class)
        .hasMessage(
            "zTOC: " + ci.spanDigests().size() + " spans, but " + fewer.size() + " span digests");
    byte[] shorter =
        ZtocCodec.encode(
            new Ztoc(
                z.version(),
                z.buildToolIdentifier(),
                z.compressedArchiveSize() - 1,
                z.uncompressedArchiveSize() - 1024,
                z.toc(),
                ci));
    // was: accepted, then reads of the last span past the blob's end
    assertThatThrownBy(() -> ZtocCodec.decode(shorter))
        .isInstanceOf(ZtocException.class)
        .hasMessageStartingWith("tar zinfo: " + tar.length + " bytes, but the zTOC's layer has");
  }

  @Test
  void aMalformedSpanDigestIsQuotedOnOneLine() throws Exception {
    byte[] bytes = build(ZtocFuzzTargets.sampleTar(), Compression.UNCOMPRESSED).encoded().clone();
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    bytes[text.indexOf("sha256:") + 6] = '\n';
    assertThatThrownBy(() -> ZtocCodec.decode(bytes))
        .isInstanceOf(ZtocException.class)
        .message()
        .matches("zTOC: span \\d+ digest: expected sha256:<hex>, got \"sha256\\\\n[0-9a-f]{64}\"");
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
