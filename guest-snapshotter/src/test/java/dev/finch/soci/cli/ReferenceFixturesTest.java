package dev.finch.soci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.cli.ztoc.ZtocInfoCommand;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.ztoc.FileMetadata;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocBuilder;
import dev.finch.soci.ztoc.ZtocCodec;
import dev.finch.soci.ztoc.ZtocFileReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * Byte compatibility with artifacts the reference soci 0.4.1 produced
 * (src/test/resources/reference041, made as its README.txt says): ours reads theirs, and ours
 * builds the same bytes from the same layer.
 */
class ReferenceFixturesTest {
  private static final String TOOL_041 = "AWS SOCI CLI v0.1";
  private static final long MIB = 1 << 20;

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in =
        ReferenceFixturesTest.class.getResourceAsStream("/reference041/" + name)) {
      assertThat(in).as("fixture " + name).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void ourZtocInfoOfTheirZtocIsByteIdenticalToTheirOutput() throws Exception {
    for (String layer : List.of("layer0", "layer1")) {
      String ours = ZtocInfoCommand.render(fixture("ztoc-" + layer + "-span1m.bin")) + "\n";
      String theirs =
          new String(fixture("ztoc-info-" + layer + "-span1m.txt"), StandardCharsets.UTF_8);
      assertThat(ours).as(layer).isEqualTo(theirs);
    }
  }

  @Test
  void sameLayerAndSpanSizeGiveTheReferenceZtocBytes() throws Exception {
    Map<String, String> expected =
        Map.of(
            "layer0.tar.gz@1048576",
                "sha256:775d4371b2cad7fbcd4d8089f7d5482e7a0dc693134df8fd7e2895da976e1281",
            "layer1.tar.gz@1048576",
                "sha256:078ea43f5aad42ed287198687cfd133949f78a22730de846a3a8fecf70081925",
            "layer1.tar.gz@65536",
                "sha256:0e3cfdf8c7301eb65da167eda59c3a22bf1edee78577e6d2363083e3d0e20ad0",
            "layer0.tar.gz@65536",
                "sha256:e2cab5b11495d7fa59dbf9e5d7d3bfc8e9a7d4a5ce0dc4e03a251a91fef48381");
    for (var e : expected.entrySet()) {
      String[] parts = e.getKey().split("@");
      byte[] blob = fixture(parts[0]);
      ZtocBuilder.Result r =
          new ZtocBuilder(Long.parseLong(parts[1]), TOOL_041)
              .build(
                  new ByteArrayInputStream(blob), MediaTypes.Compression.GZIP, Digest.sha256(blob));
      assertThat(r.digest().toString()).as(e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(
            new ZtocBuilder(MIB, TOOL_041)
                .build(
                    new ByteArrayInputStream(fixture("layer0.tar.gz")),
                    MediaTypes.Compression.GZIP,
                    null)
                .encoded())
        .isEqualTo(fixture("ztoc-layer0-span1m.bin"));
  }

  @Test
  void withOurBuildToolTheZtocDiffersOnlyInThatString() throws Exception {
    byte[] blob = fixture("layer0.tar.gz");
    Ztoc ours =
        new ZtocBuilder(MIB)
            .build(new ByteArrayInputStream(blob), MediaTypes.Compression.GZIP, null)
            .ztoc();
    assertThat(ours.buildToolIdentifier()).isEqualTo("AWS SOCI CLI v0.2");
    Ztoc relabelled =
        new Ztoc(
            ours.version(),
            TOOL_041,
            ours.compressedArchiveSize(),
            ours.uncompressedArchiveSize(),
            ours.toc(),
            ours.compressionInfo());
    assertThat(ZtocCodec.encode(relabelled)).isEqualTo(fixture("ztoc-layer0-span1m.bin"));
  }

  @Test
  void theirZtocReadsEveryFileOfTheLayer() throws Exception {
    Path layer = Files.createTempFile("layer0", ".tar.gz");
    try {
      Files.write(layer, fixture("layer0.tar.gz"));
      Ztoc theirs = ZtocCodec.decode(fixture("ztoc-layer0-span1m.bin"));
      Map<String, byte[]> files = new HashMap<>();
      try (TarArchiveInputStream tar =
          new TarArchiveInputStream(
              new GZIPInputStream(new ByteArrayInputStream(fixture("layer0.tar.gz"))))) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          if (e.isFile()) {
            files.put(e.getName(), tar.readAllBytes());
          }
        }
      }
      try (var source = new dev.finch.soci.ztoc.FileCompressedSource(layer)) {
        ZtocFileReader reader = new ZtocFileReader(theirs, source);
        int checked = 0;
        for (FileMetadata m : theirs.toc()) {
          if (m.type().equals(FileMetadata.TYPE_REG)) {
            assertThat(reader.readFile(m.name())).as(m.name()).isEqualTo(files.get(m.name()));
            checked++;
          }
        }
        assertThat(checked).isGreaterThanOrEqualTo(6);
      }
    } finally {
      Files.deleteIfExists(layer);
    }
  }

  @Test
  void ourIndexSerializerWritesTheReferenceIndexBytes() throws Exception {
    byte[] theirs = fixture("soci-index-span1m.json");
    SociIndex parsed = SociIndex.parse(theirs);
    assertThat(parsed.version()).isEqualTo(SociIndex.Version.V1);
    Manifest m = Json.read(theirs, Manifest.class);
    SociIndex rebuilt = SociIndex.build(SociIndex.Version.V1, m.layers(), m.subject(), TOOL_041);
    assertThat(rebuilt.bytes()).isEqualTo(theirs);
    assertThat(rebuilt.digest().toString())
        .isEqualTo("sha256:e2149e22fb8aa904677cd053e7177f76c2e05df20f605868b890f36b01d21798");
    Descriptor z0 =
        parsed.ztocFor(
            Digest.parse(
                "sha256:f0a098f2d10e4011f3a77d09e01fc11f93868a362ea4fc5e93f6da53bf833302"));
    assertThat(z0.digest().toString())
        .isEqualTo("sha256:775d4371b2cad7fbcd4d8089f7d5482e7a0dc693134df8fd7e2895da976e1281");
  }
}
