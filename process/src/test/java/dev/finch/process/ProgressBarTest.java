package dev.finch.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProgressBarTest {
  @Test
  void aBarOfDoneOutOfTotalBetweenLabelAndDetail() {
    // 80 columns: 79 usable, the label leaves 64, the bar gets a third, 21 cells; 3 of 7 fill 9
    assertThat(ProgressBar.line(80, "provisioning", 3, 7, "3/7 guest bundle"))
        .isEqualTo("provisioning [=========>           ] 3/7 guest bundle");
    assertThat(ProgressBar.line(80, "pushing", 0, 4, "0/4"))
        .isEqualTo("pushing [>                      ] 0/4");
    assertThat(ProgressBar.line(80, "pushing", 4, 4, "4/4"))
        .isEqualTo("pushing [=======================] 4/4");
  }

  @Test
  void theBarKeepsItsSizeWhileTheDetailChanges() {
    String a = ProgressBar.line(64, "INFO[0000] provisioning", 1, 6, "1/6 mounts");
    String b =
        ProgressBar.line(64, "INFO[0000] provisioning", 2, 6, "2/6 containerd, runc, nerdctl");
    assertThat(a).isEqualTo("INFO[0000] provisioning [==>         ] 1/6 mounts");
    assertThat(b).isEqualTo("INFO[0000] provisioning [====>       ] 2/6 containerd, runc,...");
    assertThat(a.indexOf(']')).isEqualTo(b.indexOf(']'));
  }

  @Test
  void aNarrowTerminalGetsANarrowerBarThenNone() {
    assertThat(ProgressBar.line(40, "pushing", 1, 2, "1/2")).isEqualTo("pushing [====>    ] 1/2");
    // too little room for an 8-cell bar: label and detail only
    assertThat(ProgressBar.line(30, "pushing", 1, 2, "1/2")).isEqualTo("pushing 1/2");
    // not even that: cut, ending in ...
    assertThat(ProgressBar.line(12, "indexing 1a2b3c4d5e6f", 1, 2, "1.0 MiB"))
        .isEqualTo("indexing...");
  }

  @Test
  void noTotalMeansNoBar() {
    assertThat(ProgressBar.line(80, "pulling", 3, 0, "3 layers")).isEqualTo("pulling 3 layers");
    assertThat(ProgressBar.line(80, "pulling", 3, 0, "")).isEqualTo("pulling");
  }

  @Test
  void moreThanTotalIsAFullBar() {
    assertThat(ProgressBar.line(80, "x", 9, 4, "")).isEqualTo("x [" + "=".repeat(25) + "]");
    // the bar's widest
    assertThat(ProgressBar.line(200, "x", 9, 4, "")).isEqualTo("x [" + "=".repeat(30) + "]");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 10, 19, 20, 21, 33, 40, 57, 80, 200})
  void neverWiderThanTheTerminal(int width) {
    for (long done = 0; done <= 10; done++) {
      String line =
          ProgressBar.line(
              width, "indexing sha256:1a2b3c4d", done, 10, done + " MiB / 10 MiB (2.0 MB/s)");
      assertThat(line.length())
          .as("width %d, done %d: %s", width, done, line)
          .isLessThan(width)
          .isLessThanOrEqualTo(Math.max(0, width - 1));
    }
  }

  @Test
  void redrawReturnsToTheLineStartAndErasesWhatWasLonger() {
    assertThat(ProgressBar.redraw("abc")).isEqualTo("\rabc\033[K");
    assertThat(ProgressBar.CLEAR).isEqualTo("\r\033[K");
  }
}
