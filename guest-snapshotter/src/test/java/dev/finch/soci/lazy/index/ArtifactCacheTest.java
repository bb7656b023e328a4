package dev.finch.soci.lazy.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Artifacts are cached only when their bytes have their digest, and are checked when read back. */
class ArtifactCacheTest {
  @TempDir Path dir;

  static final byte[] BYTES = "a zTOC, say".getBytes(StandardCharsets.UTF_8);
  static final Digest DIGEST = Digest.sha256(BYTES);

  @Test
  void fetchesOnceThenServesFromDisk() throws IOException {
    ArtifactCache cache = new ArtifactCache(dir);
    AtomicInteger fetches = new AtomicInteger();
    ArtifactCache.Fetcher f =
        out -> {
          fetches.incrementAndGet();
          out.write(BYTES);
        };
    assertThat(cache.get(DIGEST, f)).isEqualTo(BYTES);
    assertThat(cache.get(DIGEST, f)).isEqualTo(BYTES);
    assertThat(new ArtifactCache(dir).get(DIGEST, f)).as("after a restart").isEqualTo(BYTES);
    assertThat(fetches).hasValue(1);
    assertThat(files()).containsExactly(dir.resolve("sha256").resolve(DIGEST.hex()));
  }

  @Test
  void bytesOfAnotherDigestAreRefusedAndLeaveNothingBehind() throws IOException {
    ArtifactCache cache = new ArtifactCache(dir);
    assertThatThrownBy(
            () -> cache.get(DIGEST, out -> out.write("other".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("artifact digest mismatch: expected " + DIGEST);
    assertThat(files()).as("no artifact, no temporary file").isEmpty();
  }

  @Test
  void aCorruptCacheFileIsFetchedAgain() throws IOException {
    new ArtifactCache(dir).get(DIGEST, out -> out.write(BYTES));
    Files.writeString(dir.resolve("sha256").resolve(DIGEST.hex()), "bit rot");
    AtomicInteger fetches = new AtomicInteger();
    byte[] back =
        new ArtifactCache(dir)
            .get(
                DIGEST,
                out -> {
                  fetches.incrementAndGet();
                  out.write(BYTES);
                });
    assertThat(back).isEqualTo(BYTES);
    assertThat(fetches).hasValue(1);
  }

  @Test
  void everyMountOfAZtocSharesOneMapping() throws IOException {
    ArtifactCache cache = new ArtifactCache(dir);
    java.nio.MappedByteBuffer first = cache.map(DIGEST, out -> out.write(BYTES));
    first.get(); // the views are independent: one reader's position is not another's
    java.nio.MappedByteBuffer second = cache.map(DIGEST, out -> out.write(BYTES));
    assertThat(second.position()).isZero();
    byte[] read = new byte[BYTES.length];
    second.get(read);
    assertThat(read).isEqualTo(BYTES);
    Path file = dir.resolve("sha256").resolve(DIGEST.hex()).toRealPath();
    long mappings =
        Files.readAllLines(Path.of("/proc/self/maps")).stream()
            .filter(l -> l.endsWith(" " + file))
            .count();
    assertThat(mappings).as("mappings of the cache file, both buffers alive").isEqualTo(1);
    assertThat(first.capacity()).isEqualTo(BYTES.length);
  }

  @Test
  void notesAreKeptAcrossInstances() throws IOException {
    ArtifactCache cache = new ArtifactCache(dir);
    assertThat(cache.readNote("index-x")).isNull();
    cache.writeNote("index-x", "sha256:abc");
    cache.writeNote("index-x", "sha256:def");
    assertThat(new ArtifactCache(dir).readNote("index-x")).isEqualTo("sha256:def");
    assertThat(files()).containsExactly(dir.resolve("notes").resolve("index-x"));
  }

  private java.util.List<Path> files() throws IOException {
    if (!Files.exists(dir)) {
      return java.util.List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }
}
