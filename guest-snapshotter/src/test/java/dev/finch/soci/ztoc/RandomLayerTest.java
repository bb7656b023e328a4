package dev.finch.soci.ztoc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Seeded random layers: build a zTOC, then read every regular file back through it. */
class RandomLayerTest {
  private static final long SPAN = 65536;

  /** Expected content per regular file name, in tar order, plus the tar bytes. */
  record Layer(byte[] tar, Map<String, byte[]> files, List<String> names) {}

  @ParameterizedTest(name = "seed {0}, {1}, multi-member {2}")
  @CsvSource({
    "1, posix, false",
    "2, gnu, false",
    "3, posix, true",
    "4, gnu, true",
    "5, posix, false"
  })
  void everyRegularFileExtractsThroughTheZtoc(long seed, String longNames, boolean multiMember)
      throws Exception {
    Layer layer = randomLayer(new Random(seed), longNames.equals("gnu"));
    byte[] gz = multiMember ? twoMembers(layer.tar()) : TarFixtures.gzip(layer.tar());

    ZtocBuilder.Result built =
        new ZtocBuilder(SPAN)
            .build(new ByteArrayInputStream(gz), Compression.GZIP, Digest.sha256(gz));
    checkLayer(layer, gz, built);

    ZtocBuilder.Result plain =
        new ZtocBuilder(SPAN)
            .build(
                new ByteArrayInputStream(layer.tar()),
                Compression.UNCOMPRESSED,
                Digest.sha256(layer.tar()));
    checkLayer(layer, layer.tar(), plain);
    assertThat(plain.ztoc().toc()).isEqualTo(built.ztoc().toc());
  }

  private static void checkLayer(Layer layer, byte[] blob, ZtocBuilder.Result built)
      throws IOException {
    assertThat(built.ztoc().toc())
        .extracting(FileMetadata::name)
        .containsExactlyElementsOf(layer.names());
    crossCheckWithCommonsCompress(layer.tar(), built.ztoc().toc());
    Ztoc decoded = ZtocCodec.decode(built.encoded());
    assertThat(decoded).isEqualTo(built.ztoc());
    assertThat(ZtocCodec.encode(decoded)).isEqualTo(built.encoded());
    ZtocFileReader reader = new ZtocFileReader(decoded, memory(blob));
    for (Map.Entry<String, byte[]> f : layer.files().entrySet()) {
      assertThat(reader.readFile(f.getKey())).as(f.getKey()).isEqualTo(f.getValue());
      assertThat(reader.readFile("./" + f.getKey())).as(f.getKey()).isEqualTo(f.getValue());
    }
    for (FileMetadata m : decoded.toc()) {
      if (m.type().equals(FileMetadata.TYPE_REG) && m.uncompressedSize() > 10) {
        byte[] part = new byte[7];
        int n = reader.read(m, m.uncompressedSize() / 2, part, 0, part.length);
        byte[] whole = layer.files().get(m.cleanName());
        long from = m.uncompressedSize() / 2;
        assertThat(Arrays.copyOf(part, n))
            .isEqualTo(Arrays.copyOfRange(whole, (int) from, (int) from + n));
      }
    }
    assertThat(decoded.toc().getLast().uncompressedOffset())
        .isLessThan(decoded.uncompressedArchiveSize());
  }

  /** An independent reader must agree on names, types, offsets and header fields. */
  private static void crossCheckWithCommonsCompress(byte[] tar, List<FileMetadata> toc)
      throws IOException {
    List<FileMetadata> seen = new ArrayList<>();
    try (TarFile in = new TarFile(tar)) {
      int i = 0;
      for (TarArchiveEntry e : in.getEntries()) {
        FileMetadata m = toc.get(i++);
        assertThat(m.name()).isEqualTo(e.getName());
        assertThat(m.uncompressedOffset()).as(m.name()).isEqualTo(e.getDataOffset());
        assertThat(m.uncompressedSize()).isEqualTo(e.getSize());
        assertThat(m.linkname()).isEqualTo(e.getLinkName());
        assertThat(m.mode()).isEqualTo(e.getMode());
        assertThat(m.uid()).isEqualTo(e.getLongUserId());
        assertThat(m.uname()).isEqualTo(e.getUserName());
        java.time.Instant mtime = e.getLastModifiedTime().toInstant();
        assertThat(m.modTime())
            .isEqualTo(GoTime.marshalText(mtime.getEpochSecond(), mtime.getNano()));
        String type =
            e.isSymbolicLink()
                ? FileMetadata.TYPE_SYMLINK
                : e.isLink()
                    ? FileMetadata.TYPE_HARDLINK
                    : e.isDirectory() ? FileMetadata.TYPE_DIR : FileMetadata.TYPE_REG;
        assertThat(m.type()).as(m.name()).isEqualTo(type);
        assertThat(m.extendedAttributes())
            .isEqualTo(
                new java.util.TreeMap<>(
                    e.getExtraPaxHeaders().entrySet().stream()
                        .filter(x -> x.getKey().startsWith(FileMetadata.SCHILY_XATTR))
                        .collect(
                            java.util.stream.Collectors.toMap(
                                x -> x.getKey().substring(FileMetadata.SCHILY_XATTR.length()),
                                Map.Entry::getValue))));
        seen.add(m);
      }
    }
    assertThat(seen).hasSameSizeAs(toc);
  }

  static CompressedSource memory(byte[] blob) {
    return new CompressedSource() {
      @Override
      public void readFully(long offset, byte[] dst, int off, int len) {
        System.arraycopy(blob, (int) offset, dst, off, len);
      }

      @Override
      public long size() {
        return blob.length;
      }
    };
  }

  static byte[] twoMembers(byte[] data) {
    int cut = data.length / 2 + 123;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(TarFixtures.gzip(Arrays.copyOfRange(data, 0, cut)));
    out.writeBytes(TarFixtures.gzip(Arrays.copyOfRange(data, cut, data.length)));
    return out.toByteArray();
  }

  static Layer randomLayer(Random rnd, boolean gnuLongNames) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Map<String, byte[]> files = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    List<String> regular = new ArrayList<>();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(
          gnuLongNames
              ? TarArchiveOutputStream.LONGFILE_GNU
              : TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      int count = 40 + rnd.nextInt(40);
      for (int i = 0; i < count; i++) {
        int kind = rnd.nextInt(10);
        String dir = "d" + rnd.nextInt(5) + "/";
        if (kind == 0) {
          TarArchiveEntry e = new TarArchiveEntry(dir + "sub" + i + "/");
          e.setModTime(1_600_000_000_000L + rnd.nextInt(1_000_000));
          tar.putArchiveEntry(e);
          tar.closeArchiveEntry();
          names.add(e.getName());
        } else if (kind == 1 && !regular.isEmpty()) {
          TarArchiveEntry e = new TarArchiveEntry(dir + "sym" + i, TarConstants.LF_SYMLINK);
          e.setLinkName("../" + regular.get(rnd.nextInt(regular.size())));
          e.setModTime(1_600_000_000_000L);
          tar.putArchiveEntry(e);
          tar.closeArchiveEntry();
          names.add(e.getName());
        } else if (kind == 2 && !regular.isEmpty()) {
          String target = regular.get(rnd.nextInt(regular.size()));
          TarArchiveEntry e = new TarArchiveEntry(dir + "hard" + i, TarConstants.LF_LINK);
          e.setLinkName(target);
          e.setModTime(1_600_000_000_000L);
          tar.putArchiveEntry(e);
          tar.closeArchiveEntry();
          names.add(e.getName());
          files.put(e.getName(), files.get(target));
        } else {
          String name =
              kind == 3
                  ? dir + "long-" + "x".repeat(120 + rnd.nextInt(80)) + i
                  : dir + "f" + i + ".dat";
          byte[] data = content(rnd, kind);
          TarArchiveEntry e = new TarArchiveEntry(name);
          e.setSize(data.length);
          e.setModTime(1_600_000_000_000L + rnd.nextInt(1_000_000));
          if (kind == 4) {
            e.addPaxHeader("SCHILY.xattr.user.k" + i, "v" + rnd.nextInt());
          }
          tar.putArchiveEntry(e);
          tar.write(data);
          tar.closeArchiveEntry();
          names.add(name);
          files.put(name, data);
          regular.add(name);
        }
      }
    }
    return new Layer(bytes.toByteArray(), files, names);
  }

  private static byte[] content(Random rnd, int kind) {
    int size =
        switch (kind) {
          case 5 -> 0;
          case 6 -> 100_000 + rnd.nextInt(300_000);
          default -> rnd.nextInt(3000);
        };
    byte[] data = new byte[size];
    if (rnd.nextBoolean()) {
      rnd.nextBytes(data);
    } else {
      byte[] words =
          "lorem ipsum dolor sit amet consectetur zTOC span ".getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < size; i++) {
        data[i] = words[(i * 7 + rnd.nextInt(3)) % words.length];
      }
    }
    return data;
  }
}
