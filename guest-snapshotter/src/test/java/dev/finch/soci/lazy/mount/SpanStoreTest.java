package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpanStoreTest {
  @TempDir Path dir;

  static byte[] span(int fill, int size) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) fill);
    b[0] = (byte) (fill + 1);
    return b;
  }

  @Test
  void storedSpanReadsBackAtAnyOffset() throws Exception {
    SpanStore s = SpanStore.open(dir, 0);
    s.put("aa", 3, span(7, 1000));
    assertThat(s.contains("aa", 3)).isTrue();
    assertThat(s.contains("aa", 4)).isFalse();
    ByteBuffer dst = ByteBuffer.allocate(10);
    assertThat(s.read("aa", 3, 1000, 0, dst)).isTrue();
    assertThat(dst.position()).isEqualTo(10);
    assertThat(dst.array()[0]).isEqualTo((byte) 8);
    assertThat(dst.array()[1]).isEqualTo((byte) 7);
    assertThat(s.readAll("aa", 3, 1000)).isEqualTo(span(7, 1000));
    assertThat(s.bytes()).isEqualTo(1000);
    assertThat(Files.readAllBytes(dir.resolve("aa/3"))).isEqualTo(span(7, 1000));
  }

  @Test
  void missingOrWrongSizedSpanIsAMissAndLeavesTheBufferAlone() throws Exception {
    SpanStore s = SpanStore.open(dir, 0);
    ByteBuffer dst = ByteBuffer.allocate(10);
    assertThat(s.read("aa", 0, 1000, 0, dst)).isFalse();
    s.put("aa", 0, span(1, 999));
    assertThat(s.read("aa", 0, 1000, 0, dst)).isFalse();
    assertThat(dst.position()).isZero();
    assertThat(s.contains("aa", 0)).as("a span file of the wrong length is dropped").isFalse();
    assertThat(dir.resolve("aa/0")).doesNotExist();
    assertThat(s.bytes()).isZero();
  }

  @Test
  void boundEvictsLeastRecentlyUsedFirst() throws Exception {
    SpanStore s = SpanStore.open(dir, 3000);
    s.put("aa", 0, span(1, 1000));
    s.put("aa", 1, span(2, 1000));
    s.put("bb", 0, span(3, 1000));
    assertThat(s.read("aa", 0, 1000, 0, ByteBuffer.allocate(1))).isTrue(); // aa/1 is now the oldest
    s.put("bb", 1, span(4, 1000));
    assertThat(s.contains("aa", 1)).isFalse();
    assertThat(dir.resolve("aa/1")).doesNotExist();
    assertThat(s.contains("aa", 0)).isTrue();
    assertThat(s.contains("bb", 0)).isTrue();
    assertThat(s.contains("bb", 1)).isTrue();
    assertThat(s.bytes()).isEqualTo(3000);
    assertThat(s.evictions()).isEqualTo(1);
  }

  @Test
  void aSpanLargerThanTheBoundIsKeptAloneRatherThanLost() throws Exception {
    SpanStore s = SpanStore.open(dir, 500);
    s.put("aa", 0, span(1, 400));
    s.put("aa", 1, span(2, 1000));
    assertThat(s.contains("aa", 0)).isFalse();
    assertThat(s.readAll("aa", 1, 1000)).isEqualTo(span(2, 1000));
  }

  @Test
  void reopenKeepsSpansDropsTemporariesAndAppliesTheBoundOldestFirst() throws Exception {
    SpanStore s = SpanStore.open(dir, 0);
    s.put("aa", 0, span(1, 1000));
    s.put("aa", 1, span(2, 1000));
    Files.setLastModifiedTime(dir.resolve("aa/0"), FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(dir.resolve("aa/1"), FileTime.fromMillis(2_000_000));
    Files.write(dir.resolve("aa/.tmp-123"), new byte[50]); // a crash in the middle of a put
    SpanStore again = SpanStore.open(dir, 1500);
    assertThat(dir.resolve("aa/.tmp-123")).doesNotExist();
    assertThat(again.contains("aa", 0)).as("oldest evicted to fit the bound").isFalse();
    assertThat(again.readAll("aa", 1, 1000)).isEqualTo(span(2, 1000));
    assertThat(again.bytes()).isEqualTo(1000);
  }

  @Test
  void dropLayerDeletesOnlyThatLayer() throws Exception {
    SpanStore s = SpanStore.open(dir, 0);
    s.put("aa", 0, span(1, 100));
    s.put("aa", 1, span(1, 100));
    s.put("bb", 0, span(2, 100));
    s.dropLayer("aa");
    assertThat(dir.resolve("aa")).doesNotExist();
    assertThat(s.contains("aa", 0)).isFalse();
    assertThat(s.contains("bb", 0)).isTrue();
    assertThat(s.bytes()).isEqualTo(100);
  }
}
