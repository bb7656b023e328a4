package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.index.ReadRecord;
import dev.finch.soci.index.ReadRecord.Range;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.spi.EventSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadRecorderTest {
  static final Digest LAYER = Digest.sha256(new byte[] {1});
  static final int B = ReadRecorder.BLOCK_SIZE;

  @TempDir Path dir;

  @Test
  void firstReadsInTimeOrderPageAlignedAndClippedToTheLayer() {
    ReadRecorder r = new ReadRecorder(LAYER, 10L * B + 100);
    r.touch(5L * B + 10, 6L * B + 1); // blocks 5 and 6
    r.touch(7L * B, 8L * B); // block 7 continues the run
    r.touch(0, 10); // block 0
    r.touch(5L * B, 5L * B + 1); // known: nothing new
    r.touch(10L * B, 10L * B + 50); // the last, short block
    assertThat(r.snapshot().ranges())
        .containsExactly(new Range(5L * B, 3L * B), new Range(0, B), new Range(10L * B, 100));
    assertThat(r.takeDirty()).isTrue();
    assertThat(r.takeDirty()).isFalse();
    r.touch(0, 1);
    assertThat(r.takeDirty()).as("nothing new").isFalse();
  }

  @Test
  void readsOutsideTheLayerAndAnEmptyLayerRecordNothing() {
    ReadRecorder empty = new ReadRecorder(LAYER, 0);
    empty.touch(0, 4096);
    assertThat(empty.snapshot().ranges()).isEmpty();
    ReadRecorder r = new ReadRecorder(LAYER, 2L * B);
    r.touch(2L * B, 3L * B);
    r.touch(-1, 0);
    assertThat(r.snapshot().ranges()).isEmpty();
    assertThat(r.takeDirty()).isFalse();
  }

  @Test
  void runsAreBoundedAndTheRestCountedAsDropped() {
    long blocks = 2L * ReadRecorder.MAX_RUNS + 10;
    ReadRecorder r = new ReadRecorder(LAYER, blocks * B);
    for (long b = 0; b < blocks; b += 2) { // every other block: one run each
      r.touch(b * B, b * B + 1);
    }
    assertThat(r.snapshot().ranges()).hasSize(ReadRecorder.MAX_RUNS);
    assertThat(r.dropped()).isEqualTo(blocks / 2 - ReadRecorder.MAX_RUNS);
  }

  @Test
  void recordingsAreWrittenOnCloseAndContinuedAfterARestart() throws Exception {
    Path file = dir.resolve(LAYER.hex() + ".json");
    try (Recordings rec = new Recordings(dir, EventSink.discard())) {
      rec.recorder(LAYER, 100L * B).touch(3L * B, 4L * B);
    }
    assertThat(ReadRecord.parse(Files.readAllBytes(file)).ranges())
        .containsExactly(new Range(3L * B, B));
    try (Recordings rec = new Recordings(dir, EventSink.discard())) {
      ReadRecorder r = rec.recorder(LAYER, 100L * B);
      r.touch(3L * B, 4L * B); // known from the earlier run
      r.touch(9L * B, 10L * B);
    }
    assertThat(ReadRecord.parse(Files.readAllBytes(file)))
        .isEqualTo(new ReadRecord(LAYER, List.of(new Range(3L * B, B), new Range(9L * B, B))));
  }
}
