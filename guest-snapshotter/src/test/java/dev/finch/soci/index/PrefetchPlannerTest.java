package dev.finch.soci.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.fs.TestTar;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.FileMetadata;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocBuilder;
import dev.finch.soci.ztoc.compression.Zinfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefetchPlannerTest {
  static final int SPAN = 4096;
  @TempDir Path dir;
  int tars;

  byte[] tar(TestTar t) throws Exception {
    return Files.readAllBytes(t.write(dir.resolve("layer" + tars++ + ".tar")));
  }

  static PrefetchPlanner.IndexedLayer layer(byte[] blob, Compression c, long spanSize)
      throws Exception {
    Digest d = Digest.sha256(blob);
    Ztoc z = new ZtocBuilder(spanSize).build(new ByteArrayInputStream(blob), c, d).ztoc();
    return new PrefetchPlanner.IndexedLayer(d, z);
  }

  static FileMetadata entry(Ztoc z, String name) {
    return z.toc().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
  }

  /**
   * Span ids whose tar bytes [start, end) meet the file's bytes [off, off + size]: a set-based
   * restatement.
   */
  static int[] expectedIds(Ztoc z, FileMetadata m) throws Exception {
    Zinfo zi = Zinfo.of(z.compressionInfo().algorithm(), z.compressionInfo().checkpoints());
    long off = m.uncompressedOffset();
    long last = off + m.uncompressedSize();
    return IntStream.rangeClosed(0, zi.maxSpanId())
        .filter(
            k ->
                zi.startUncompressedOffset(k) <= last
                    && zi.endUncompressedOffset(k, z.uncompressedArchiveSize()) > off)
        .toArray();
  }

  /** Span ids whose tar bytes meet the file's bytes [off, off + size): what a read touches. */
  static int[] expectedIdsHalfOpen(Ztoc z, FileMetadata m) throws Exception {
    Zinfo zi = Zinfo.of(z.compressionInfo().algorithm(), z.compressionInfo().checkpoints());
    long off = m.uncompressedOffset();
    long end = off + m.uncompressedSize();
    return IntStream.rangeClosed(0, zi.maxSpanId())
        .filter(
            k ->
                zi.startUncompressedOffset(k) < end
                    && zi.endUncompressedOffset(k, z.uncompressedArchiveSize()) > off)
        .toArray();
  }

  @Test
  void aFileAcrossSeveralSmallSpansGivesExactlyItsSpanIds() throws Exception {
    byte[] blob =
        tar(
            new TestTar()
                .file("etc/pad", TestTar.bytes(9000, 1))
                .file("usr/bin/app", TestTar.bytes(30_000, 2)));
    PrefetchPlanner.IndexedLayer l = layer(blob, Compression.UNCOMPRESSED, SPAN);
    FileMetadata app = entry(l.ztoc(), "usr/bin/app");

    Map<Digest, PrefetchArtifact> plan = PrefetchPlanner.plan(List.of(l), List.of("/usr/bin/app"));

    assertThat(plan).containsOnlyKeys(l.layer());
    int[] ids = plan.get(l.layer()).spanIds();
    assertThat(ids).containsExactly(expectedIds(l.ztoc(), app));
    assertThat(ids.length).isGreaterThanOrEqualTo(8);
    assertThat(ids[0]).isEqualTo((int) (app.uncompressedOffset() / SPAN)).isPositive();
    assertThat(plan.get(l.layer()).spans()).hasSize(1);
  }

  @Test
  void gzipLayersUseTheCheckpointsForSpanBoundaries() throws Exception {
    byte[] tar =
        tar(
            new TestTar()
                .file("a/first", TestTar.bytes(20_000, 3))
                .file("a/second", TestTar.bytes(50_000, 4)));
    PrefetchPlanner.IndexedLayer l = layer(gzip(tar), Compression.GZIP, 8192);
    FileMetadata second = entry(l.ztoc(), "a/second");

    int[] ids = PrefetchPlanner.plan(List.of(l), List.of("a/second")).get(l.layer()).spanIds();

    assertThat(ids).containsExactly(expectedIds(l.ztoc(), second));
    assertThat(ids.length).isGreaterThanOrEqualTo(3);
    assertThat(ids[0]).isPositive();
  }

  @Test
  void aFileAnUpperLayerReplacesIsPrefetchedFromTheTopLayerOnly() throws Exception {
    PrefetchPlanner.IndexedLayer lower =
        layer(
            tar(
                new TestTar()
                    .file("usr/bin/app", TestTar.bytes(40_000, 5))
                    .file("etc/conf", TestTar.bytes(100, 6))),
            Compression.UNCOMPRESSED,
            SPAN);
    PrefetchPlanner.IndexedLayer upper =
        layer(
            tar(
                new TestTar()
                    .file("pad", TestTar.bytes(20_000, 7))
                    .file("usr/bin/app", TestTar.bytes(5000, 8))),
            Compression.UNCOMPRESSED,
            SPAN);

    Map<Digest, PrefetchArtifact> plan =
        PrefetchPlanner.plan(List.of(lower, upper), List.of("/usr/bin/app", "./etc/conf"));

    assertThat(plan.keySet()).containsExactly(lower.layer(), upper.layer());
    assertThat(plan.get(upper.layer()).spanIds())
        .containsExactly(expectedIds(upper.ztoc(), entry(upper.ztoc(), "usr/bin/app")));
    assertThat(plan.get(lower.layer()).spanIds())
        .containsExactly(expectedIds(lower.ztoc(), entry(lower.ztoc(), "etc/conf")));
    // the lower layer's app (spans from 0 on) is not prefetched
    assertThat(plan.get(lower.layer()).spanIds()).doesNotContain(0, 1, 2);
  }

  @Test
  void aFileEndingOnASpanBoundaryAlsoNamesTheNextSpanAsTheReference() throws Exception {
    byte[] probe = tar(new TestTar().file("f", TestTar.bytes(10, 9)));
    long off = entry(layer(probe, Compression.UNCOMPRESSED, SPAN).ztoc(), "f").uncompressedOffset();
    int size = (int) (3L * SPAN - off);
    PrefetchPlanner.IndexedLayer l =
        layer(tar(new TestTar().file("f", TestTar.bytes(size, 9))), Compression.UNCOMPRESSED, SPAN);
    assertThat(entry(l.ztoc(), "f").uncompressedOffset()).isEqualTo(off);

    int[] ids = PrefetchPlanner.plan(List.of(l), List.of("f")).get(l.layer()).spanIds();

    assertThat(ids).containsExactly(IntStream.rangeClosed((int) (off / SPAN), 3).toArray());
  }

  @Test
  void aPathInNoLayerIsAnErrorNamingIt() throws Exception {
    PrefetchPlanner.IndexedLayer l =
        layer(
            tar(new TestTar().file("usr/bin/app", TestTar.bytes(10, 1))),
            Compression.UNCOMPRESSED,
            SPAN);
    assertThatThrownBy(
            () -> PrefetchPlanner.plan(List.of(l), List.of("/usr/bin/app", "/usr/bin/nope")))
        .isInstanceOfSatisfying(
            PrefetchPathNotFoundException.class,
            e -> assertThat(e.path()).isEqualTo("/usr/bin/nope"))
        .hasMessageStartingWith("prefetch file /usr/bin/nope not found in any layer with a zTOC");
    assertThatThrownBy(() -> PrefetchPlanner.plan(List.of(l), List.of("/")))
        .isInstanceOf(PrefetchPathNotFoundException.class);
  }

  static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }
}
