package dev.finch.soci.ztoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.compression.GzipCheckpoint;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.io.ByteArrayInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zTOC without its windows: what it leaves out, and that the holes refilled give the zTOC. */
class ZtocSkeletonTest {
  private static final int W = GzipCheckpoint.WINDOW_SIZE;

  @TempDir Path tmp;

  static byte[] ztocOfTextLayer(long span) throws Exception {
    Random r = new Random(7);
    StringBuilder text = new StringBuilder();
    while (text.length() < 3 << 20) {
      text.append("line ").append(r.nextInt(100_000)).append(" of some compressible text\n");
    }
    byte[] tar =
        TarFixtures.tar(
            TarFixtures.entry("a.txt", '0', text.toString().getBytes()),
            TarFixtures.entry("b.txt", '0', "small".getBytes()));
    byte[] gz = TarFixtures.gzip(tar);
    return new ZtocBuilder(span)
        .build(new ByteArrayInputStream(gz), Compression.GZIP, Digest.sha256(gz))
        .encoded();
  }

  @Test
  void leavesOutEveryNonZeroWindowAndRefillingTheHolesGivesTheZtocBack() throws Exception {
    byte[] ztoc = ztocOfTextLayer(256 << 10);
    Ztoc decoded = ZtocCodec.decode(ztoc);
    int spans = decoded.compressionInfo().maxSpanId() + 1;
    assertThat(spans).isGreaterThan(4);

    ZtocSkeleton sk = ZtocSkeleton.parse(ZtocSkeleton.of(ztoc).toBytes(), ztoc.length);
    assertThat(sk.ztoc()).isEqualTo(Digest.sha256(ztoc));
    assertThat(sk.ztocSize()).isEqualTo(ztoc.length);
    // span 0 starts the stream: its window is empty and stays in the skeleton
    assertThat(sk.holes()).extracting(ZtocSkeleton.Hole::spanId).doesNotContain(0);
    assertThat(sk.holes()).hasSize(spans - 1);
    assertThat(sk.toBytes().length)
        .as("the skeleton is a small part of the zTOC")
        .isLessThan(ztoc.length / 4);

    Path file = tmp.resolve("sparse");
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      sk.writeSparse(ch);
    }
    byte[] sparse = Files.readAllBytes(file);
    assertThat(sparse).hasSize(ztoc.length);
    for (ZtocSkeleton.Hole h : sk.holes()) {
      int at = (int) h.offset();
      assertThat(Arrays.copyOfRange(sparse, at, at + W)).containsOnly((byte) 0);
      assertThat(Digest.sha256(Arrays.copyOfRange(ztoc, at, at + W))).isEqualTo(h.sha256());
      System.arraycopy(ztoc, at, sparse, at, W);
    }
    assertThat(sparse).as("the holes refilled").isEqualTo(ztoc);

    // the sparse zTOC decodes as the zTOC does (its TOC and span map are all there)
    Ztoc fromSparse = ZtocCodec.decode(Files.readAllBytes(file));
    assertThat(fromSparse.toc()).isEqualTo(decoded.toc());
    assertThat(fromSparse.compressionInfo().spanDigests())
        .isEqualTo(decoded.compressionInfo().spanDigests());
  }

  @Test
  void aSkeletonThatLiesIsRefused() throws Exception {
    byte[] ztoc = ztocOfTextLayer(1 << 20);
    byte[] good = ZtocSkeleton.of(ztoc).toBytes();
    assertThatThrownBy(() -> ZtocSkeleton.parse(good, ztoc.length - 1))
        .isInstanceOf(ZtocException.class)
        .hasMessageContaining("zTOC size");
    assertThatThrownBy(() -> ZtocSkeleton.parse(Arrays.copyOf(good, good.length / 2), ztoc.length))
        .isInstanceOf(ZtocException.class);
    assertThatThrownBy(() -> ZtocSkeleton.parse(TarFixtures.gzip(new byte[100]), ztoc.length))
        .isInstanceOf(ZtocException.class)
        .hasMessageContaining("bad magic");
    ZtocSkeleton sk = ZtocSkeleton.parse(good, ztoc.length);
    ZtocSkeleton.Hole h = sk.holes().getFirst();
    ZtocSkeleton overlapping =
        new ZtocSkeleton(
            sk.ztoc(),
            sk.ztocSize(),
            java.util.List.of(h, new ZtocSkeleton.Hole(h.spanId() + 1, h.offset() + 1, h.sha256())),
            Arrays.copyOf(sk.rest(), sk.rest().length - W));
    assertThatThrownBy(() -> ZtocSkeleton.parse(overlapping.toBytes(), ztoc.length))
        .isInstanceOf(ZtocException.class)
        .hasMessageContaining("out of order");
  }

  @Test
  void anUncompressedLayerHasNoSkeleton() throws Exception {
    byte[] tar = TarFixtures.tar(TarFixtures.entry("a", '0', new byte[300_000]));
    byte[] z =
        new ZtocBuilder(65536)
            .build(new ByteArrayInputStream(tar), Compression.UNCOMPRESSED, Digest.sha256(tar))
            .encoded();
    assertThat(ZtocSkeleton.of(z)).isNull();
  }
}
