package dev.finch.soci.snapshot.overlay;

import static dev.finch.soci.snapshot.SnapshotAssertions.expectError;
import static dev.finch.soci.snapshot.SnapshotAssertions.snapshotDirs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.snapshot.ErrorKind;
import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.snapshot.Snapshotter;
import dev.finch.soci.snapshot.overlay.storage.CrashPoint;
import dev.finch.soci.snapshot.overlay.storage.MetaStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kills the snapshotter at every crash point of every step of a workload, reopens the same root and
 * checks that (1) every acknowledged operation survived, (2) the interrupted one is either fully
 * there or fully absent, as the crash point dictates, (3) every snapshot in the metadata has its
 * directory, (4) cleanup leaves exactly the directories of known snapshots, (5) ids are never
 * reused, and (6) the rest of the workload then runs to the expected final state.
 */
class CrashRecoveryTest {
  @TempDir Path tmp;

  @FunctionalInterface
  interface Action {
    void run(Snapshotter sn) throws IOException;
  }

  /** One workload step and its effect on the model (name → kind). */
  record Step(String name, Action action, Map<String, String> after) {}

  static List<Step> workload() {
    List<Step> steps = new ArrayList<>();
    TreeMap<String, String> m = new TreeMap<>();
    step(steps, m, "prepare a", sn -> sn.prepare("a", "", Map.of()), x -> x.put("a", "ACTIVE"));
    step(
        steps,
        m,
        "commit A",
        sn -> sn.commit("A", "a", Map.of("l", "1")),
        x -> {
          x.remove("a");
          x.put("A", "COMMITTED");
        });
    step(steps, m, "prepare b", sn -> sn.prepare("b", "A", Map.of()), x -> x.put("b", "ACTIVE"));
    step(
        steps,
        m,
        "commit B",
        sn -> sn.commit("B", "b", Map.of()),
        x -> {
          x.remove("b");
          x.put("B", "COMMITTED");
        });
    step(steps, m, "view v", sn -> sn.view("v", "B", Map.of()), x -> x.put("v", "VIEW"));
    step(
        steps,
        m,
        "update A",
        sn -> sn.update(Info.forUpdate("A", Map.of("l", "2")), List.of("labels.l")),
        x -> {});
    step(steps, m, "remove v", sn -> sn.remove("v"), x -> x.remove("v"));
    step(steps, m, "prepare c", sn -> sn.prepare("c", "B", Map.of()), x -> x.put("c", "ACTIVE"));
    step(steps, m, "remove c", sn -> sn.remove("c"), x -> x.remove("c"));
    step(steps, m, "remove B", sn -> sn.remove("B"), x -> x.remove("B"));
    step(steps, m, "prepare d", sn -> sn.prepare("d", "A", Map.of()), x -> x.put("d", "ACTIVE"));
    return steps;
  }

  private static void step(
      List<Step> steps,
      TreeMap<String, String> model,
      String name,
      Action a,
      java.util.function.Consumer<TreeMap<String, String>> effect) {
    effect.accept(model);
    steps.add(new Step(name, a, Map.copyOf(model)));
  }

  static OverlaySnapshotter open(Path root, CrashSimulator sim) throws IOException {
    return OverlaySnapshotter.open(
        OverlaySnapshotterContractTest.config(root, RemotePreparer.none())
            .withStore(new MetaStore.Options(2, sim)));
  }

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void crashAtEveryStepRecoversConsistently(CrashPoint point) throws Exception {
    List<Step> steps = workload();
    int runs = 0;
    for (int nth = 1; ; nth++) {
      Path root = tmp.resolve(point + "-" + nth);
      CrashSimulator sim = new CrashSimulator();
      OverlaySnapshotter sn = open(root, sim);
      sim.arm(point, nth);
      int crashedAt = -1;
      for (int i = 0; i < steps.size(); i++) {
        try {
          steps.get(i).action().run(sn);
        } catch (CrashSimulator.SimulatedCrash c) {
          crashedAt = i;
          break;
        }
      }
      sn.close();
      if (crashedAt < 0) {
        break; // the point is reached fewer than nth times in the whole workload
      }
      runs++;
      long highestIdBefore = highestDir(root);
      sn = open(root, new CrashSimulator());
      Map<String, String> state = kinds(sn);
      Map<String, String> before = crashedAt == 0 ? Map.of() : steps.get(crashedAt - 1).after();
      Map<String, String> after = steps.get(crashedAt).after();
      boolean durable =
          point == CrashPoint.AFTER_LOG_FSYNC || point == CrashPoint.AFTER_CHECKPOINT_RENAME;
      assertThat(state)
          .as("%s crash %d in '%s'", point, nth, steps.get(crashedAt).name())
          .isEqualTo(durable ? after : before);
      assertEveryRowHasItsDirectory(root, sn);
      sn.cleanup();
      assertThat(new TreeSet<>(snapshotDirs(root))).isEqualTo(ids(root, sn));
      // Ids never go backwards, even past directories left by the crash.
      sn.prepare("probe", "", Map.of());
      assertThat(
              Long.parseLong(
                  ((OverlaySnapshotter) sn)
                      .upperPath("probe")
                      .getParent()
                      .getFileName()
                      .toString()))
          .isGreaterThan(highestIdBefore);
      sn.remove("probe");
      for (int i = durable ? crashedAt + 1 : crashedAt; i < steps.size(); i++) {
        steps.get(i).action().run(sn);
      }
      sn.close();
      sn = open(root, new CrashSimulator());
      assertThat(kinds(sn)).isEqualTo(steps.getLast().after());
      assertThat(sn.stat("A").labels()).containsExactly(Map.entry("l", "2"));
      sn.close();
    }
    assertThat(runs).as("crash point %s must be exercised", point).isPositive();
  }

  @Test
  void crashAfterRenameInPrepareLeavesOnlyAnOrphanDirectory() throws IOException {
    Path root = tmp.resolve("r");
    CrashSimulator sim = new CrashSimulator();
    OverlaySnapshotter sn = open(root, sim);
    sn.prepare("a", "", Map.of());
    sn.commit("A", "a", Map.of());
    sim.arm(CrashPoint.AFTER_DIR_RENAME, 1);
    assertThatThrownBy(() -> sn.prepare("b", "A", Map.of()))
        .isInstanceOf(CrashSimulator.SimulatedCrash.class);
    sn.close();
    assertThat(snapshotDirs(root)).containsExactly("1", "2");
    OverlaySnapshotter again = open(root, new CrashSimulator());
    expectError(ErrorKind.NOT_FOUND, () -> again.stat("b"));
    assertThat(again.prepare("b", "A", Map.of()).getFirst().options())
        .contains("upperdir=" + root.resolve("snapshots/3/fs"));
    again.cleanup();
    assertThat(snapshotDirs(root)).containsExactly("1", "3");
    again.close();
  }

  private static long highestDir(Path root) throws IOException {
    return snapshotDirs(root).stream()
        .filter(n -> n.matches("[0-9]+"))
        .mapToLong(Long::parseLong)
        .max()
        .orElse(0);
  }

  private static Map<String, String> kinds(Snapshotter sn) throws IOException {
    Map<String, String> m = new TreeMap<>();
    sn.walk(List.of(), i -> m.put(i.name(), i.kind().name()));
    return m;
  }

  private static TreeSet<String> ids(Path root, OverlaySnapshotter sn) throws IOException {
    TreeSet<String> ids = new TreeSet<>();
    List<String> names = new ArrayList<>();
    sn.walk(List.of(), i -> names.add(i.name()));
    for (String n : names) {
      ids.add(sn.upperPath(n).getParent().getFileName().toString());
    }
    return ids;
  }

  private static void assertEveryRowHasItsDirectory(Path root, OverlaySnapshotter sn)
      throws IOException {
    for (String id : ids(root, sn)) {
      assertThat(root.resolve("snapshots").resolve(id).resolve("fs")).isDirectory();
    }
    assertThat(Files.exists(root.resolve("metadata.wal"))).isTrue();
  }
}
