package dev.finch.soci.snapshot.overlay.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.snapshot.ErrorKind;
import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.Kind;
import dev.finch.soci.snapshot.SnapshotException;
import dev.finch.soci.snapshot.Usage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaStoreTest {
  @TempDir Path dir;

  static Snapshot create(MetaStore ms, Kind kind, String key, String parent) throws IOException {
    return ms.inTransaction(true, tx -> tx.createSnapshot(kind, key, parent, Map.of()));
  }

  static void commit(MetaStore ms, String key, String name) throws IOException {
    ms.inTransaction(true, tx -> tx.commitActive(key, name, new Usage(4096, 1), Map.of("n", name)));
  }

  List<String> names(MetaStore ms) throws IOException {
    List<String> out = new ArrayList<>();
    ms.inTransaction(
        false,
        tx -> {
          tx.walk(Filters.ALWAYS, i -> out.add(i.name() + ":" + i.kind()));
          return null;
        });
    return out;
  }

  @Test
  void idsStartAtOneFollowParentChainsAndSurviveReopen() throws IOException {
    try (MetaStore ms = MetaStore.open(dir)) {
      assertThat(create(ms, Kind.ACTIVE, "a", ""))
          .isEqualTo(new Snapshot("1", Kind.ACTIVE, List.of()));
      commit(ms, "a", "A");
      create(ms, Kind.ACTIVE, "b", "A");
      commit(ms, "b", "B");
      assertThat(create(ms, Kind.VIEW, "v", "B"))
          .isEqualTo(new Snapshot("3", Kind.VIEW, List.of("2", "1")));
    }
    try (MetaStore ms = MetaStore.open(dir)) {
      assertThat(names(ms)).containsExactly("A:COMMITTED", "B:COMMITTED", "v:VIEW");
      Snapshot v = ms.inTransaction(false, tx -> tx.getSnapshot("v"));
      assertThat(v).isEqualTo(new Snapshot("3", Kind.VIEW, List.of("2", "1")));
      Usage u = ms.inTransaction(false, tx -> tx.get("A").usage());
      assertThat(u).isEqualTo(new Usage(4096, 1));
      Map<String, String> ids = ms.inTransaction(false, tx -> tx.idMap());
      assertThat(ids).containsOnly(Map.entry("1", "A"), Map.entry("2", "B"), Map.entry("3", "v"));
      assertThat(create(ms, Kind.ACTIVE, "c", "").id()).isEqualTo("4");
    }
  }

  @Test
  void failedTransactionChangesNothingButItsIdStaysUsed() throws IOException {
    try (MetaStore ms = MetaStore.open(dir)) {
      create(ms, Kind.ACTIVE, "a", "");
      assertThatThrownBy(
              () ->
                  ms.inTransaction(
                      true,
                      tx -> {
                        tx.createSnapshot(Kind.ACTIVE, "b", "", Map.of());
                        tx.remove("a");
                        throw new IOException("boom");
                      }))
          .hasMessage("boom");
      assertThat(names(ms)).containsExactly("a:ACTIVE");
      assertThat(create(ms, Kind.ACTIVE, "c", "").id()).isEqualTo("3");
    }
  }

  @Test
  void readersSeeOnlyCommittedState() throws Exception {
    try (MetaStore ms = MetaStore.open(dir)) {
      create(ms, Kind.ACTIVE, "a", "");
      ms.inTransaction(
          true,
          tx -> {
            tx.createSnapshot(Kind.ACTIVE, "b", "", Map.of());
            assertThat(tx.find("b")).isPresent();
            boolean visible = ms.inTransaction(false, r -> r.find("b").isPresent());
            assertThat(visible).isFalse();
            return null;
          });
      boolean visible = ms.inTransaction(false, r -> r.find("b").isPresent());
      assertThat(visible).isTrue();
      assertThatThrownBy(() -> ms.inTransaction(false, tx -> tx.remove("a")))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void containerdRulesAndErrors() throws IOException {
    try (MetaStore ms = MetaStore.open(dir)) {
      create(ms, Kind.ACTIVE, "a", "");
      assertKind(ErrorKind.INVALID_ARGUMENT, () -> create(ms, Kind.ACTIVE, "x", "a"));
      assertKind(ErrorKind.NOT_FOUND, () -> create(ms, Kind.ACTIVE, "x", "nope"));
      assertKind(ErrorKind.INVALID_ARGUMENT, () -> create(ms, Kind.COMMITTED, "x", ""));
      assertKind(ErrorKind.ALREADY_EXISTS, () -> create(ms, Kind.VIEW, "a", ""));
      commit(ms, "a", "A");
      create(ms, Kind.VIEW, "v", "A");
      assertKind(ErrorKind.FAILED_PRECONDITION, () -> commit(ms, "v", "V"));
      assertKind(ErrorKind.FAILED_PRECONDITION, () -> ms.inTransaction(true, tx -> tx.remove("A")));
      assertKind(
          ErrorKind.FAILED_PRECONDITION, () -> ms.inTransaction(false, tx -> tx.getSnapshot("A")));
      assertKind(ErrorKind.NOT_FOUND, () -> commit(ms, "gone", "G"));
      Info updated =
          ms.inTransaction(
              true, tx -> tx.updateInfo(Info.forUpdate("A", Map.of("k", "v", "e", "")), List.of()));
      assertThat(updated.labels()).containsExactly(Map.entry("k", "v"));
    }
  }

  private static void assertKind(ErrorKind kind, ThrowingCall c) {
    assertThatThrownBy(c::run)
        .isInstanceOfSatisfying(SnapshotException.class, e -> assertThat(e.kind()).isEqualTo(kind));
  }

  @FunctionalInterface
  interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void tornTailIsCutOffAndLaterWritesPersist() throws IOException {
    try (MetaStore ms = MetaStore.open(dir)) {
      create(ms, Kind.ACTIVE, "a", "");
      create(ms, Kind.ACTIVE, "b", "");
    }
    long goodSize = Files.size(dir.resolve(MetaStore.LOG_FILE));
    try (FileChannel ch =
        FileChannel.open(dir.resolve(MetaStore.LOG_FILE), StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(new byte[] {100, 0, 0, 0, 1, 2, 3, 4, '{', '"'}));
    }
    try (MetaStore ms = MetaStore.open(dir)) {
      assertThat(Files.size(dir.resolve(MetaStore.LOG_FILE))).isEqualTo(goodSize);
      assertThat(names(ms)).containsExactly("a:ACTIVE", "b:ACTIVE");
      create(ms, Kind.ACTIVE, "c", "");
    }
    try (MetaStore ms = MetaStore.open(dir)) {
      assertThat(names(ms)).containsExactly("a:ACTIVE", "b:ACTIVE", "c:ACTIVE");
    }
  }

  @Test
  void corruptedLastRecordChecksumIsTreatedAsTorn() throws IOException {
    try (MetaStore ms = MetaStore.open(dir)) {
      create(ms, Kind.ACTIVE, "a", "");
      create(ms, Kind.ACTIVE, "b", "");
    }
    Path log = dir.resolve(MetaStore.LOG_FILE);
    byte[] bytes = Files.readAllBytes(log);
    bytes[bytes.length - 2] ^= 0x5a;
    Files.write(log, bytes);
    try (MetaStore ms = MetaStore.open(dir)) {
      assertThat(names(ms)).containsExactly("a:ACTIVE");
    }
  }

  @Test
  void failedAppendIsRolledBackSoLaterRecordsStayReadable() throws IOException {
    FaultHook failOnce =
        new FaultHook() {
          boolean done;

          @Override
          public void reached(CrashPoint p) {
            if (p == CrashPoint.MID_LOG_RECORD && !done) {
              done = true;
              throw new IllegalStateException("disk full");
            }
          }
        };
    try (MetaStore ms = MetaStore.open(dir, new MetaStore.Options(100, failOnce))) {
      assertThatThrownBy(() -> create(ms, Kind.ACTIVE, "a", "")).hasMessage("disk full");
      assertThat(names(ms)).isEmpty();
      create(ms, Kind.ACTIVE, "b", "");
    }
    try (MetaStore ms = MetaStore.open(dir)) {
      assertThat(names(ms)).containsExactly("b:ACTIVE");
    }
  }

  @Test
  void checkpointsBoundTheLogAndReplayResumesAfterThem() throws IOException {
    try (MetaStore ms = MetaStore.open(dir, new MetaStore.Options(3, FaultHook.NONE))) {
      for (int i = 0; i < 10; i++) {
        create(ms, Kind.ACTIVE, "k" + i, "");
      }
      assertThat(Files.exists(dir.resolve(MetaStore.CHECKPOINT))).isTrue();
    }
    try (MetaStore ms = MetaStore.open(dir, new MetaStore.Options(3, FaultHook.NONE))) {
      assertThat(names(ms)).hasSize(10);
      assertThat(create(ms, Kind.ACTIVE, "next", "").id()).isEqualTo("11");
    }
  }

  @Test
  void secondOpenOfTheSameDirectoryIsRefused() throws IOException {
    try (MetaStore ms = MetaStore.open(dir)) {
      assertThatThrownBy(() -> MetaStore.open(dir))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("in use");
    }
    MetaStore.open(dir).close();
  }

  @Test
  void thousandSnapshotsAtAHundredTransactionsPerSecond() throws IOException {
    try (MetaStore ms = MetaStore.open(dir)) {
      long start = System.nanoTime();
      String parent = "";
      for (int i = 0; i < 1000; i++) {
        create(ms, Kind.ACTIVE, "k" + i, parent);
        commit(ms, "k" + i, "c" + i);
        parent = i % 10 == 9 ? "" : "c" + i;
      }
      double perTxMs = (System.nanoTime() - start) / 1e6 / 2000;
      // ~1 ms on an idle disk; the bound leaves headroom for a CI host busy with other builds.
      assertThat(perTxMs).as("ms per write transaction").isLessThan(25.0);
      long t0 = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        int n = i;
        ms.inTransaction(
            true,
            tx -> tx.updateInfo(Info.forUpdate("c" + n, Map.of("x", "y")), List.of("labels.x")));
      }
      assertThat((System.nanoTime() - t0) / 1e6 / 200)
          .as("ms per update with 1000 rows")
          .isLessThan(25.0);
    }
    long t1 = System.nanoTime();
    try (MetaStore ms = MetaStore.open(dir)) {
      assertThat(names(ms)).hasSize(1000);
    }
    assertThat((System.nanoTime() - t1) / 1e6).as("ms to reopen").isLessThan(2000.0);
  }
}
