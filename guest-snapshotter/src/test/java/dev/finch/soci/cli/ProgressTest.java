package dev.finch.soci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress line on a terminal of a given width, and nothing at all off one. */
class ProgressTest {
  private final StringWriter err = new StringWriter();
  private final StringWriter out = new StringWriter();
  private final AtomicLong now = new AtomicLong();

  private Progress progress(int width) {
    return new Progress(new PrintWriter(err), () -> () -> width, now::get);
  }

  @Test
  void offATerminalTheStreamIsUntouchedAndNothingIsDrawn() throws Exception {
    InputStream in = new ByteArrayInputStream(new byte[10]);
    assertThat(progress(0).track("indexing abc", 10, in)).isSameAs(in);
    try (Progress.Counter c = progress(0).count("pushing", 2, "artifacts")) {
      c.println(new PrintWriter(out), "successfully pushed artifact with digest: sha256:1");
      c.advance(1);
    }
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString().replace(System.lineSeparator(), "\n"))
        .isEqualTo("successfully pushed artifact with digest: sha256:1\n");
  }

  @Test
  void bytesReadAreABarWithTheRateRedrawnAtMostTwiceASecond() throws Exception {
    try (InputStream in =
        progress(72)
            .track(
                "indexing 1a2b3c4d5e6f",
                4_000_000,
                new ByteArrayInputStream(new byte[4_000_000]))) {
      byte[] buf = new byte[2_000_000];
      now.set(1_000_000_000L);
      assertThat(in.read(buf, 0, 1_000_000)).isEqualTo(1_000_000); // 1 s in: drawn
      now.set(1_200_000_000L);
      assertThat(in.read(buf, 0, 1_000_000)).isEqualTo(1_000_000); // 0.2 s later: not drawn
      now.set(2_000_000_000L);
      assertThat(in.read(buf, 0, 2_000_000)).isEqualTo(2_000_000); // the end: always drawn
    }
    assertThat(err.toString())
        .isEqualTo(
            "\rindexing 1a2b3c4d5e6f [===>           ] 1 MB / 4 MB (1.0 MB/s)\033[K"
                + "\rindexing 1a2b3c4d5e6f [===============] 4 MB / 4 MB (2.0 MB/s)\033[K"
                + "\r\033[K");
  }

  @Test
  void resultLinesPrintAboveTheCountWhichIsDrawnAgainBelowThem() {
    PrintWriter stdout = new PrintWriter(out);
    try (Progress.Counter c = progress(50).count("pushing", 2, "artifacts")) {
      c.println(stdout, "successfully pushed artifact with digest: sha256:1");
      c.advance(1);
    }
    assertThat(err.toString())
        .isEqualTo(
            "\rpushing [>            ] 0/2 artifacts\033[K"
                + "\r\033[K" // cleared for the result line on stdout
                + "\rpushing [>            ] 0/2 artifacts\033[K"
                + "\rpushing [======>      ] 1/2 artifacts\033[K"
                + "\r\033[K");
    assertThat(out.toString()).contains("successfully pushed artifact with digest: sha256:1");
  }

  @Test
  void anUnknownTotalIsACountWithoutABar() {
    try (Progress.Counter c = progress(50).count("pulling", 0, "layers")) {
      c.advance(3);
    }
    assertThat(err.toString())
        .isEqualTo("\rpulling 0 layers\033[K\rpulling 3 layers\033[K\r\033[K");
  }

  @Test
  void linesNeverExceedTheTerminalAndItIsLookedUpOnce() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    for (int width : new int[] {5, 16, 30, 41, 100}) {
      err.getBuffer().setLength(0);
      Progress p =
          new Progress(
              new PrintWriter(err),
              () -> {
                asked.incrementAndGet();
                return () -> width;
              },
              now::get);
      try (InputStream in =
          p.track("indexing 1a2b3c4d5e6f", 3, new ByteArrayInputStream(new byte[3]))) {
        in.readAllBytes();
      }
      for (String drawn : err.toString().split("\r")) {
        String line = drawn.replace("\033[K", "");
        assertThat(line.length()).as("width %d: %s", width, line).isLessThan(width);
      }
    }
    assertThat(asked).hasValue(5);
  }

  @Test
  void sizesDropOnlyTrailingZerosOfTheFraction() {
    assertThat(Sizes.human(300_051_000)).isEqualTo("300 MB");
    assertThat(Sizes.human(1_900)).isEqualTo("1.9 kB");
    assertThat(Sizes.human(4_000_000)).isEqualTo("4 MB");
    assertThat(Sizes.human(85_710_000)).isEqualTo("85.7 MB");
    assertThat(Sizes.human(10_200_000_000L)).isEqualTo("10.2 GB");
    assertThat(Sizes.human(512)).isEqualTo("512 B");
  }
}
