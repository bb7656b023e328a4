package dev.finch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteSizeTest {
  @ParameterizedTest
  @CsvSource({
    "4GiB,4294967296",
    "4G,4294967296",
    "4gb,4294967296",
    "512MiB,536870912",
    "100,100",
    "1.5GiB,1610612736",
    "lots,-1",
    "4XiB,-1",
    "'',-1"
  })
  void parsesGoUnitsRamSizes(String text, long bytes) {
    assertThat(ByteSize.parse(text).map(ByteSize::bytes).orElse(-1L)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @CsvSource({"8589934592,8GiB", "536870912,512MiB", "1610612736,1.5GiB", "100,100B"})
  void formatsLikeFinch(long bytes, String text) {
    assertThat(ByteSize.format(bytes)).isEqualTo(text);
    assertThat(ByteSize.ofBytes(bytes))
        .hasToString(text)
        .extracting(ByteSize::bytes)
        .isEqualTo(bytes);
  }

  @Test
  void keepsTheTextItWasWrittenAs() {
    ByteSize s = ByteSize.parse(" 4gb ").orElseThrow();
    assertThat(s).hasToString("4gb");
    assertThat(s.bytes()).isEqualTo(4L << 30);
    assertThat(s).isEqualTo(ByteSize.of("4gb")).isNotEqualTo(ByteSize.of("4GiB"));
    assertThatThrownBy(() -> ByteSize.of("lots"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a size: lots");
  }
}
