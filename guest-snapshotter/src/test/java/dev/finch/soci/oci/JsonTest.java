package dev.finch.soci.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void compactOutputSortsMapKeysAndEscapesLikeGo() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("b", "x<y>&z");
    m.put("a", List.of());
    assertThat(new String(Json.bytes(m), StandardCharsets.UTF_8))
        .isEqualTo("{\"a\":[],\"b\":\"x\\u003cy\\u003e\\u0026z\"}");
  }

  @Test
  void prettyMatchesGoMarshalIndent() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", "0.9");
    m.put("files", List.of(Map.of("size", 3)));
    m.put("empty", List.of());
    assertThat(Json.pretty(m))
        .isEqualTo(
            "{\n  \"empty\": [],\n  \"files\": [\n    {\n      \"size\": 3\n    }\n  ],\n  \"version\": \"0.9\"\n}");
  }

  @Test
  void imageRefsNormaliseLikeContainerd() {
    assertThat(ImageRef.parse("alpine").toString()).isEqualTo("docker.io/library/alpine:latest");
    ImageRef r = ImageRef.parse("127.0.0.1:5000/team/app:v1");
    assertThat(r.registry()).isEqualTo("127.0.0.1:5000");
    assertThat(r.repository()).isEqualTo("team/app");
    assertThat(r.reference()).isEqualTo("v1");
    Digest d = Digest.sha256(new byte[0]);
    assertThat(ImageRef.parse("localhost/x@" + d).reference()).isEqualTo(d.toString());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImageRef.parse("Bad/Name"))
        .hasMessageContaining("invalid image reference");
  }

  @Test
  void platformsParseAndMatch() {
    assertThat(Platform.parse("linux/arm64").matches(Platform.parse("linux/arm64/v8"))).isTrue();
    assertThat(Platform.parse("linux/amd64").matches(Platform.parse("linux/arm64"))).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Platform.parse("linux"))
        .hasMessageContaining("expected os/arch");
  }
}
