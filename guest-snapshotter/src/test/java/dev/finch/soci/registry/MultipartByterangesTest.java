package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartByterangesTest {
  private static final String B = "e2245c1db1f3";

  @Test
  void splitsPartsByTheirContentRangeEvenWhenDataContainsTheBoundary() throws Exception {
    String body =
        "--"
            + B
            + "\r\nContent-Range: bytes 0-1/5\r\nContent-Type: application/octet-stream\r\n\r\nhe\r\n"
            + "--"
            + B
            + "\r\nContent-Range: bytes 3-20/30\r\n\r\n--"
            + B
            + "--xx\r\n--"
            + B
            + "--\r\n";
    List<MultipartByteranges.Part> parts =
        MultipartByteranges.parse(body.getBytes(StandardCharsets.ISO_8859_1), B);
    assertThat(parts).hasSize(2);
    assertThat(parts.get(0).range()).isEqualTo(new ByteRange(0, 2));
    assertThat(new String(parts.get(0).data(), StandardCharsets.ISO_8859_1)).isEqualTo("he");
    assertThat(new String(parts.get(1).data(), StandardCharsets.ISO_8859_1))
        .isEqualTo("--" + B + "--xx");
  }

  @Test
  void reportsWhatWasExpected() {
    String body = "--" + B + "\r\nContent-Type: x\r\n\r\nhe\r\n--" + B + "--\r\n";
    assertThatThrownBy(
            () -> MultipartByteranges.parse(body.getBytes(StandardCharsets.ISO_8859_1), B))
        .hasMessage("expected a Content-Range header in part 1");
    assertThatThrownBy(
            () ->
                MultipartByteranges.parse(
                    "--x\r\nContent-Range: bytes 0-9/10\r\n\r\nab".getBytes(), "x"))
        .hasMessage("expected 10 bytes for part [0, 10), got 2");
  }

  @Test
  void readsBoundaryParameter() {
    assertThat(MultipartByteranges.boundary("multipart/byteranges; boundary=abc")).isEqualTo("abc");
    assertThat(MultipartByteranges.boundary("multipart/byteranges; boundary=\"a b\""))
        .isEqualTo("a b");
    assertThat(ContentRange.parse("bytes 10-19/*")).isEqualTo(new ByteRange(10, 20));
    assertThat(ContentRange.parse("bytes 10-19")).isNull();
  }
}
