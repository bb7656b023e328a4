package dev.finch.soci.ztoc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.compression.Zinfo;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@code --file-checkpoints}: a checkpoint just before a small file that follows a big one. */
class FileCheckpointsTest {
  static final long SPAN = 1 << 20;

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Big random files, each followed by a small one: the many-layer benchmark's shape. */
  static byte[] bigThenSmall() {
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      parts.add(TarFixtures.entry("big" + i + ".bin", '0', random(3 << 20, i)));
      parts.add(TarFixtures.entry("small" + i + ".txt", '0', ("layer " + i + "\n").getBytes()));
    }
    return TarFixtures.tar(parts.toArray(byte[][]::new));
  }

  /** Many small compressible files, packed: nothing should change there. */
  static byte[] packedSmallFiles() {
    Random r = new Random(3);
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < 40; j++) {
        sb.append("def f").append(r.nextInt(1000)).append("(): return ").append(j).append('\n');
      }
      parts.add(TarFixtures.entry("lib/m" + i + ".py", '0', sb.toString().getBytes()));
    }
    return TarFixtures.tar(parts.toArray(byte[][]::new));
  }

  static ZtocBuilder.Result build(ZtocBuilder b, byte[] gz) throws Exception {
    return b.build(new ByteArrayInputStream(gz), Compression.GZIP, Digest.sha256(gz));
  }

  // where the span that holds the entry's first header starts, in tar bytes before that header
  static long lead(Ztoc z, String name) throws Exception {
    Zinfo zi = z.compressionInfo().zinfo();
    FileMetadata m = z.toc().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    long header = m.tarHeaderOffset();
    return header - zi.startUncompressedOffset(zi.spanIdForUncompressedOffset(header));
  }

  @Test
  void aSmallFileAfterABigOneGetsACheckpointJustBeforeIt() throws Exception {
    byte[] gz = TarFixtures.gzip(bigThenSmall());
    Ztoc plain = build(new ZtocBuilder(SPAN), gz).ztoc();
    ZtocBuilder.Result built = build(ZtocBuilder.withFileCheckpoints(SPAN), gz);
    Ztoc with = built.ztoc();
    for (int i = 0; i < 3; i++) {
      String small = "small" + i + ".txt";
      assertThat(lead(with, small)).as(small).isBetween(0L, 64L << 10);
      assertThat(lead(plain, small)).as(small + " without").isGreaterThan(128L << 10);
    }
    // the checkpoints without the flag, and one more per small file
    assertThat(with.compressionInfo().maxSpanId())
        .isEqualTo(plain.compressionInfo().maxSpanId() + 3);
    Zinfo pz = plain.compressionInfo().zinfo();
    Zinfo wz = with.compressionInfo().zinfo();
    java.util.Set<Long> starts = new java.util.HashSet<>();
    for (int s = 0; s <= wz.maxSpanId(); s++) {
      starts.add(wz.startUncompressedOffset(s));
    }
    for (int s = 0; s <= pz.maxSpanId(); s++) {
      assertThat(starts)
          .as("span %d of the plain zTOC still starts a span", s)
          .contains(pz.startUncompressedOffset(s));
    }
    assertThat(with.buildToolIdentifier()).isEqualTo(Ztoc.BUILD_TOOL_IDENTIFIER_FILE_CHECKPOINTS);
    assertThat(plain.buildToolIdentifier()).isEqualTo(Ztoc.BUILD_TOOL_IDENTIFIER);
    assertThat(with.toc()).isEqualTo(plain.toc());

    // an ordinary zTOC: it decodes, and every file reads back through it
    Ztoc decoded = ZtocCodec.decode(built.encoded());
    ZtocFileReader reader = new ZtocFileReader(decoded, RandomLayerTest.memory(gz));
    for (int i = 0; i < 3; i++) {
      assertThat(reader.readFile("small" + i + ".txt")).isEqualTo(("layer " + i + "\n").getBytes());
      assertThat(reader.readFile("big" + i + ".bin")).isEqualTo(random(3 << 20, i));
    }
  }

  @Test
  void packedSmallFilesGetNoExtraCheckpoints() throws Exception {
    byte[] gz = TarFixtures.gzip(packedSmallFiles());
    Ztoc plain = build(new ZtocBuilder(256 << 10), gz).ztoc();
    Ztoc with = build(ZtocBuilder.withFileCheckpoints(256 << 10), gz).ztoc();
    assertThat(with.compressionInfo()).isEqualTo(plain.compressionInfo());
  }
}
