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

  // descriptors of this process open on files under the store
  private long openUnder(Path root) throws Exception {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.map(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).toString();
                } catch (java.io.IOException e) {
                  return "";
                }
              })
          .filter(t -> t.startsWith(root.toString()))
          .count();
    }
  }

  /**
   * A span read again reuses its open file (so the kernel's readahead follows a read-through), at
   * most {@link SpanStore#OPEN_SPANS} stay open, and an evicted or dropped span's file is closed
   * with it (no descriptor keeps a deleted span's disk space).
   */
  @Test
  void readsKeepABoundedSetOfSpanFilesOpenAndEvictionClosesThem() throws Exception {
    Path root = dir.toRealPath();
    SpanStore s = SpanStore.open(root, 0);
    int n = SpanStore.OPEN_SPANS + 8;
    for (int i = 0; i < n; i++) {
      s.put("aa", i, span(i, 100));
    }
    assertThat(openUnder(root)).isZero();
    ByteBuffer one = ByteBuffer.allocate(1);
    for (int i = 0; i < 3; i++) {
      assertThat(s.read("aa", 0, 100, 50 + i, one.clear())).isTrue();
    }
    assertThat(openUnder(root)).as("one file for three reads of a span").isEqualTo(1);
    for (int i = 0; i < n; i++) {
      ByteBuffer b = ByteBuffer.allocate(100);
      assertThat(s.read("aa", i, 100, 0, b)).isTrue();
      assertThat(b.array()).isEqualTo(span(i, 100));
    }
    assertThat(openUnder(root)).isEqualTo(SpanStore.OPEN_SPANS);

    SpanStore bounded = SpanStore.open(root.resolve("b"), 250);
    bounded.put("bb", 0, span(1, 100));
    assertThat(bounded.read("bb", 0, 100, 0, one.clear())).isTrue();
    bounded.put("bb", 1, span(2, 100));
    bounded.put("bb", 2, span(3, 100)); // evicts span 0, whose file is open
    assertThat(bounded.contains("bb", 0)).isFalse();
    assertThat(openUnder(root.resolve("b"))).isZero();

    s.dropLayer("aa");
    assertThat(openUnder(root)).isZero();
  }

  /** A reader's interrupt closes the shared descriptor under it; the next read opens another. */
  @Test
  void aReadAfterAnInterruptClosedTheSharedFileStillSucceeds() throws Exception {
    SpanStore s = SpanStore.open(dir, 0);
    s.put("aa", 0, span(5, 1 << 20));
    assertThat(s.read("aa", 0, 1 << 20, 0, ByteBuffer.allocate(10))).isTrue();
    Thread.currentThread().interrupt();
    try {
      s.read("aa", 0, 1 << 20, 0, ByteBuffer.allocate(10));
    } catch (java.nio.channels.ClosedByInterruptException expected) {
      // this read was the interrupted one; the descriptor it shared is closed now
    } finally {
      Thread.interrupted();
    }
    ByteBuffer b = ByteBuffer.allocate(1 << 20);
    assertThat(s.read("aa", 0, 1 << 20, 0, b)).isTrue();
    assertThat(b.array()).isEqualTo(span(5, 1 << 20));
  }
}
