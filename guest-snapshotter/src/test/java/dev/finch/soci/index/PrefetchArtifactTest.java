package dev.finch.soci.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.index.PrefetchArtifact.SpanRange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefetchArtifactTest {
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] golden() throws IOException {
    try (InputStream in =
        PrefetchArtifactTest.class.getResourceAsStream("/json/prefetch-artifact.json")) {
      return in.readAllBytes();
    }
  }

  @Test
  void serializesLikeGoJsonMarshalWithPriorityOmittedWhenZero() throws IOException {
    PrefetchArtifact a = PrefetchArtifact.of(List.of(new SpanRange(5, 10, 1), new SpanRange(0, 2)));
    assertThat(new String(a.toJson(), StandardCharsets.UTF_8))
        .isEqualTo(new String(golden(), StandardCharsets.UTF_8));
    assertThat(
            new String(
                PrefetchArtifact.of(List.of(new SpanRange(3, 3))).toJson(), StandardCharsets.UTF_8))
        .isEqualTo("{\"version\":\"1.0\",\"prefetch_spans\":[{\"start_span\":3,\"end_span\":3}]}");
  }

  @Test
  void parsesTheGoldenFileBackToTheSameRangesAndBytes() throws IOException {
    PrefetchArtifact a = PrefetchArtifact.parse(golden());
    assertThat(a.version()).isEqualTo("1.0");
    assertThat(a.spans()).containsExactly(new SpanRange(0, 2, 0), new SpanRange(5, 10, 1));
    assertThat(a.toJson()).isEqualTo(golden());
    assertThat(a.spanIds()).containsExactly(0, 1, 2, 5, 6, 7, 8, 9, 10);
  }

  @Test
  void ofSortsAndJoinsOverlappingAndAdjacentRangesKeepingTheFirstPriority() {
    PrefetchArtifact a =
        PrefetchArtifact.of(
            List.of(
                new SpanRange(20, 20),
                new SpanRange(4, 6, 2),
                new SpanRange(0, 3, 7),
                new SpanRange(5, 9),
                new SpanRange(11, 12),
                new SpanRange(12, 12),
                new SpanRange(21, 22)));
    assertThat(a.spans())
        .containsExactly(new SpanRange(0, 9, 7), new SpanRange(11, 12), new SpanRange(20, 22));
    assertThat(a.spanIds()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 20, 21, 22);
  }

  @Test
  void spanIdsOfUnsortedOverlappingParsedRangesAreAscendingAndDistinct() throws IOException {
    PrefetchArtifact a =
        PrefetchArtifact.parse(
            utf8(
                "{\"version\":\"1.0\",\"prefetch_spans\":[{\"start_span\":7,\"end_span\":8},"
                    + "{\"start_span\":2,\"end_span\":7},{\"start_span\":2,\"end_span\":2}],\"extra\":true}"));
    assertThat(a.spans()).hasSize(3);
    assertThat(a.spanIds()).containsExactly(2, 3, 4, 5, 6, 7, 8);
    assertThat(a.spanIds(5)).containsExactly(2, 3, 4, 5);
    assertThat(a.spanIds(1)).isEmpty();
  }

  @Test
  void mergingNearIntMaxDoesNotOverflow() {
    PrefetchArtifact a =
        PrefetchArtifact.of(
            List.of(new SpanRange(Integer.MAX_VALUE, Integer.MAX_VALUE), new SpanRange(0, 0)));
    assertThat(a.spans())
        .containsExactly(new SpanRange(0, 0), new SpanRange(Integer.MAX_VALUE, Integer.MAX_VALUE));
    assertThat(a.spanIds()).containsExactly(0, Integer.MAX_VALUE);
  }

  @Test
  void parseRejectsBadDocumentsWithTheReason() {
    assertThatThrownBy(() -> PrefetchArtifact.parse(utf8("not-json")))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("prefetch artifact is not valid JSON");
    assertThatThrownBy(() -> PrefetchArtifact.parse(utf8("[1]")))
        .isInstanceOf(IOException.class)
        .hasMessage("prefetch artifact is not a JSON object");
    assertThatThrownBy(
            () ->
                PrefetchArtifact.parse(
                    utf8(
                        "{\"version\":\"0.9\",\"prefetch_spans\":[{\"start_span\":1,\"end_span\":1}]}")))
        .isInstanceOf(IOException.class)
        .hasMessage("unsupported prefetch artifact version: \"0.9\" (expected 1.0)");
    assertThatThrownBy(
            () -> PrefetchArtifact.parse(utf8("{\"version\":\"1.0\",\"prefetch_spans\":[]}")))
        .isInstanceOf(IOException.class)
        .hasMessage("prefetch artifact is empty");
    assertThatThrownBy(() -> PrefetchArtifact.parse(utf8("{\"version\":\"1.0\"}")))
        .isInstanceOf(IOException.class)
        .hasMessage("prefetch artifact is empty");
    assertThatThrownBy(
            () ->
                PrefetchArtifact.parse(
                    utf8(
                        "{\"version\":\"1.0\",\"prefetch_spans\":[{\"start_span\":-1,\"end_span\":1}]}")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("prefetch_spans[0]")
        .hasMessageContaining("negative");
    assertThatThrownBy(
            () ->
                PrefetchArtifact.parse(
                    utf8(
                        "{\"version\":\"1.0\",\"prefetch_spans\":[{\"start_span\":0,\"end_span\":0},"
                            + "{\"start_span\":4,\"end_span\":3}]}")))
        .isInstanceOf(IOException.class)
        .hasMessage("prefetch artifact: prefetch_spans[1]: end_span 3 is before start_span 4");
    assertThatThrownBy(
            () ->
                PrefetchArtifact.parse(
                    utf8(
                        "{\"version\":\"1.0\",\"prefetch_spans\":[{\"start_span\":1.5,\"end_span\":3}]}")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("start_span is not a span id");
    assertThatThrownBy(
            () ->
                PrefetchArtifact.parse(
                    utf8(
                        "{\"version\":\"1.0\",\"prefetch_spans\":[{\"start_span\":1,\"end_span\":3000000000}]}")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("end_span is not a span id");
    assertThatThrownBy(
            () ->
                PrefetchArtifact.parse(
                    utf8("{\"version\":\"1.0\",\"prefetch_spans\":[{\"end_span\":3}]}")))
        .isInstanceOf(IOException.class)
        .hasMessage("prefetch artifact: prefetch_spans[0] has no start_span");
  }

  @Test
  void rangesAndArtifactsCannotBeInvalidOrEmpty() {
    assertThatThrownBy(() -> new SpanRange(3, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SpanRange(-1, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrefetchArtifact.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prefetch artifact is empty");
  }
}
