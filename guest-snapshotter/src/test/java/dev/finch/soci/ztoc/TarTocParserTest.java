package dev.finch.soci.ztoc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Go archive/tar corner cases the TOC must reproduce. */
class TarTocParserTest {
  private static List<FileMetadata> parse(byte[] tar, int chunk) throws Exception {
    TarTocParser p = new TarTocParser("layer");
    for (int i = 0; i < tar.length; i += chunk) {
      p.accept(tar, i, Math.min(chunk, tar.length - i));
    }
    return p.finish();
  }

  @Test
  void paxRecordsAllKeptSortedAndAppliedWithNanosecondMtime() throws Exception {
    String body =
        TarFixtures.paxRecord("path", "very/long/" + "n".repeat(150))
            + TarFixtures.paxRecord("mtime", "1700000000.123456789123")
            + TarFixtures.paxRecord("SCHILY.xattr.user.a", "1")
            + TarFixtures.paxRecord("uid", "4294967297")
            + TarFixtures.paxRecord("uname", "");
    byte[] tar =
        TarFixtures.tar(
            TarFixtures.entry("PaxHeaders/x", 'x', body.getBytes(StandardCharsets.UTF_8)),
            TarFixtures.entry("short", '0', new byte[700]));
    for (int chunk : new int[] {1, 7, 512, 100_000}) {
      List<FileMetadata> toc = parse(tar, chunk);
      assertThat(toc).hasSize(1);
      FileMetadata m = toc.getFirst();
      assertThat(m.name()).isEqualTo("very/long/" + "n".repeat(150));
      assertThat(m.modTime()).isEqualTo("2023-11-14T22:13:20.123456789Z");
      assertThat(m.uid()).isEqualTo(1);
      assertThat(m.uname()).isEqualTo("root");
      assertThat(m.xattrs().keySet())
          .containsExactly("SCHILY.xattr.user.a", "mtime", "path", "uid", "uname");
      assertThat(m.extendedAttributes()).isEqualTo(Map.of("user.a", "1"));
      assertThat(m.uncompressedOffset()).isEqualTo(1024 + 512);
      assertThat(m.tarHeaderOffset()).isZero();
    }
  }

  @Test
  void headerOnlyTypesConsumeNoDataAndArchiveSizeIncludesBothZeroBlocks() throws Exception {
    byte[] dirWithSize = TarFixtures.header("d/", '5', 4096, 0);
    byte[] tar =
        TarFixtures.tar(
            dirWithSize,
            TarFixtures.entry("d/f", '\0', new byte[3]),
            TarFixtures.entry("d/g/", '\0', new byte[0]),
            TarFixtures.entry("c", '7', new byte[5]));
    byte[] padded = new byte[tar.length + 10240];
    System.arraycopy(tar, 0, padded, 0, tar.length);
    TarTocParser p = new TarTocParser("layer");
    p.accept(padded, 0, padded.length);
    List<FileMetadata> toc = p.finish();
    assertThat(toc).extracting(FileMetadata::type).containsExactly("dir", "reg", "dir", "reg");
    assertThat(toc)
        .extracting(FileMetadata::uncompressedOffset)
        .containsExactly(512L, 1024L, 2048L, 2560L);
    assertThat(toc.getFirst().uncompressedSize()).isEqualTo(4096);
    assertThat(toc.getFirst().modTime()).isEqualTo("1970-01-01T00:00:00Z");
    assertThat(toc)
        .extracting(FileMetadata::tarHeaderOffset)
        .containsExactly(0L, 512L, 1536L, 2048L);
    assertThat(p.archiveSize()).isEqualTo(tar.length);
  }

  @Test
  void gnuLongNameAndLinkFoldIntoTheNextEntry() throws Exception {
    String longName = "l/" + "a".repeat(300);
    String longLink = "t/" + "b".repeat(200);
    byte[] tar =
        TarFixtures.tar(
            TarFixtures.entry(
                "././@LongLink", 'L', (longName + "\0").getBytes(StandardCharsets.UTF_8)),
            TarFixtures.entry("././@LongLink", 'K', longLink.getBytes(StandardCharsets.UTF_8)),
            TarFixtures.entry("short", '2', new byte[0]));
    List<FileMetadata> toc = parse(tar, 333);
    assertThat(toc)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.name()).isEqualTo(longName);
              assertThat(m.linkname()).isEqualTo(longLink);
              assertThat(m.type()).isEqualTo("symlink");
              assertThat(m.uncompressedOffset()).isEqualTo(512L * 5);
              assertThat(m.tarHeaderOffset()).isZero();
            });
  }

  @Test
  void cleanEndWithoutZeroBlocks() throws Exception {
    byte[] entry = TarFixtures.entry("f", '0', new byte[10]);
    TarTocParser p = new TarTocParser("layer");
    p.accept(entry, 0, entry.length);
    assertThat(p.finish()).hasSize(1);
    assertThat(p.archiveSize()).isEqualTo(1024);
  }

  @Test
  void goTimeFormatting() throws Exception {
    assertThat(GoTime.marshalText(0, 0)).isEqualTo("1970-01-01T00:00:00Z");
    assertThat(GoTime.marshalText(1672531200, 500_000_000)).isEqualTo("2023-01-01T00:00:00.5Z");
    assertThat(GoTime.marshalText(-1, -500_000_000)).isEqualTo("1969-12-31T23:59:58.5Z");
    assertThat(GoTime.marshalText(-62135596800L, 0)).isEqualTo(GoTime.ZERO);
  }
}
