package dev.finch.testkit.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class TarLayerTest {
  private static final String LONG = "dir/" + "x".repeat(150) + ".txt";

  static TarLayer sample() {
    return TarLayer.builder()
        .dir("dir")
        .file("/dir/a.txt", "hello\n")
        .randomFile("dir/r.bin", 100_001, 3)
        .symlink("dir/s", "a.txt")
        .hardlink("dir/h", "dir/a.txt")
        .whiteout("etc/gone")
        .opaque("var/cache")
        .file(LONG, "long\n")
        .build();
  }

  static byte[] tar(TarLayer l) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    l.writeTar(out);
    return out.toByteArray();
  }

  @Test
  void sameLayerSameBytes() throws Exception {
    assertThat(tar(sample())).isEqualTo(tar(sample()));
  }

  @Test
  void entriesRoundTrip() throws Exception {
    List<TarArchiveEntry> entries = new ArrayList<>();
    byte[] random = null;
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(tar(sample())))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        entries.add(e);
        if (e.getName().equals("dir/r.bin")) {
          random = in.readAllBytes();
        }
      }
    }
    assertThat(entries)
        .extracting(TarArchiveEntry::getName)
        .containsExactly(
            "dir/",
            "dir/a.txt",
            "dir/r.bin",
            "dir/s",
            "dir/h",
            "etc/.wh.gone",
            "var/cache/.wh..wh..opq",
            LONG);
    assertThat(entries.get(0).isDirectory()).isTrue();
    assertThat(entries.get(3).isSymbolicLink()).isTrue();
    assertThat(entries.get(3).getLinkName()).isEqualTo("a.txt");
    assertThat(entries.get(4).isLink()).isTrue();
    assertThat(entries.get(4).getLinkName()).isEqualTo("dir/a.txt");
    assertThat(entries)
        .allSatisfy(
            e -> {
              assertThat(e.getModTime().toInstant()).isEqualTo(TarLayer.DEFAULT_MTIME);
              assertThat(e.getLongUserId()).isZero();
            });
    assertThat(random).isEqualTo(TarLayer.randomBytes(3, 100_001));
  }
}
