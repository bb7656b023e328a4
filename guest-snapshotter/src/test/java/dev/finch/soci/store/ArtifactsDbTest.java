package dev.finch.soci.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The artifacts database's operations; what survives a kill is {@link ArtifactsDbCrashTest}'s. */
class ArtifactsDbTest {
  @TempDir Path root;

  private static ArtifactEntry entry(String name, ArtifactType type, Instant created) {
    return new ArtifactEntry(
        Digest.sha256(name.getBytes(StandardCharsets.UTF_8)),
        10,
        null,
        null,
        "linux/amd64",
        "soci",
        type,
        "application/octet-stream",
        null,
        created,
        0,
        null);
  }

  @Test
  void putReplacesTheSameDigestAndTypeAndKeepsCreationOrder() throws IOException {
    ArtifactsDb db = new ArtifactsDb(root);
    assertThat(db.list()).isEmpty();
    ArtifactEntry late = entry("b", ArtifactType.SOCI_LAYER, Instant.parse("2026-01-02T00:00:00Z"));
    ArtifactEntry early =
        entry("a", ArtifactType.SOCI_INDEX, Instant.parse("2026-01-01T00:00:00Z"));
    db.put(List.of(late, early));
    assertThat(db.list()).containsExactly(early, late);
    ArtifactEntry again =
        entry("b", ArtifactType.SOCI_LAYER, Instant.parse("2026-01-03T00:00:00Z"));
    db.put(List.of(again));
    assertThat(db.list()).containsExactly(early, again);
    assertThat(db.get(early.digest())).contains(early);
    assertThat(new ArtifactsDb(root).find(e -> e.type() == ArtifactType.SOCI_LAYER))
        .containsExactly(again);
  }

  @Test
  void removeAndReplaceAll() throws IOException {
    ArtifactsDb db = new ArtifactsDb(root);
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    db.put(
        List.of(
            entry("a", ArtifactType.SOCI_LAYER, t),
            entry("b", ArtifactType.SOCI_LAYER, t),
            entry("c", ArtifactType.SOCI_INDEX, t)));
    assertThat(db.remove(e -> e.type() == ArtifactType.SOCI_LAYER)).isEqualTo(2);
    assertThat(db.list()).extracting(ArtifactEntry::type).containsExactly(ArtifactType.SOCI_INDEX);
    db.replaceAll(List.of());
    assertThat(db.list()).isEmpty();
    assertThat(root.resolve("artifacts.json.tmp")).doesNotExist();
  }

  @Test
  void anUnreadableFileNamesTheRepair() throws IOException {
    Files.writeString(root.resolve("artifacts.json"), "[{\"digest\":");
    assertThatThrownBy(() -> new ArtifactsDb(root).list())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("soci rebuild-db");
  }
}
