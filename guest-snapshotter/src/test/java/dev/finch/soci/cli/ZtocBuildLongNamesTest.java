package dev.finch.soci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.ztoc.FileMetadata;
import dev.finch.soci.ztoc.ZtocCodec;
import dev.finch.testkit.image.TarLayer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code soci ztoc build} of a layer with names over the kernel's 255-byte limit: the zTOC keeps
 * every entry (as the reference's does), the build succeeds, and stderr names each such entry once.
 */
class ZtocBuildLongNamesTest {
  @TempDir Path tmp;

  @Test
  void warnsAboutEachNameOverTheLimitAndKeepsTheZtocWhole() throws Exception {
    String fits = "f".repeat(255);
    String tooLong = "x".repeat(300);
    String utf8TooLong = "\u00e9".repeat(128); // 256 bytes in 128 characters
    Path tar = tmp.resolve("layer.tar");
    try (OutputStream out = Files.newOutputStream(tar)) {
      TarLayer.builder()
          .dir("data")
          .file("data/" + fits, "fits\n")
          .file("data/" + tooLong, "too long\n")
          .dir("data/" + utf8TooLong)
          .file("data/" + utf8TooLong + "/inside", "inside\n")
          .build()
          .writeTar(out);
    }
    Path ztoc = tmp.resolve("ztoc");

    SociRuns.Run r =
        SociRuns.run(
            "ztoc",
            "build",
            "--compression",
            "uncompressed",
            "-o",
            ztoc.toString(),
            tar.toString());

    assertThat(r.rc()).as(r.err()).isZero();
    assertThat(r.err().lines().filter(l -> l.startsWith("soci: warning: ")))
        .containsExactly(
            warning(tar, "data/" + tooLong, 300), warning(tar, "data/" + utf8TooLong, 256));
    assertThat(r.err()).doesNotContain(fits);
    assertThat(ZtocCodec.decode(Files.readAllBytes(ztoc)).toc())
        .extracting(FileMetadata::name)
        .contains("data/" + fits, "data/" + tooLong, "data/" + utf8TooLong + "/inside");
  }

  static String warning(Path layer, String entry, int bytes) {
    return "soci: warning: "
        + layer
        + ": entry \""
        + entry
        + "\" has a name of "
        + bytes
        + " bytes, over the kernel's limit of 255 bytes per path component; a lazy mount of the"
        + " layer leaves it out (with everything below it), and containerd's own unpack of the"
        + " layer would fail on it";
  }
}
