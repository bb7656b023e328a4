package dev.finch.soci.snapshot;

import static dev.finch.soci.snapshot.SnapshotAssertions.expectError;
import static dev.finch.soci.snapshot.SnapshotAssertions.snapshotDirs;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour every {@link Snapshotter} implementation must show, modelled on containerd's {@code
 * snapshots/testsuite} (basic chain, stat, transitivity, duplicate keys, update, remove ordering,
 * StatInWalk) plus the layout, exact mount strings and error categories the soci daemon and kubelet
 * rely on, and soci's remote-prepare protocol driven through a {@link FakeRemote}. Subclasses
 * supply the implementation: the overlay snapshotter called directly, and the same behind our
 * Snapshots gRPC service and containerd client, which must not change any of it.
 */
public abstract class SnapshotterContractTest {
  @TempDir protected Path root;
  protected Snapshotter sn;
  protected FakeRemote remote;

  /**
   * A snapshotter rooted at {@code root} using {@code remote} for prepares with the target label,
   * with overlay options {@code [workdir, upperdir, lowerdir]} only.
   */
  protected abstract Snapshotter open(Path root, RemotePreparer remote) throws IOException;

  @BeforeEach
  void setUp() throws IOException {
    remote = new FakeRemote();
    sn = open(root, remote);
  }

  @AfterEach
  void tearDown() throws IOException {
    sn.close();
  }

  protected String fs(int id) {
    return root.resolve("snapshots").resolve(Integer.toString(id)).resolve("fs").toString();
  }

  protected String work(int id) {
    return root.resolve("snapshots").resolve(Integer.toString(id)).resolve("work").toString();
  }

  /** Prepares and commits a chain {@code names[0] <- names[1] <- …}, ids 1..n. */
  protected void chain(String... names) throws IOException {
    String parent = "";
    for (String n : names) {
      sn.prepare("prep-" + n, parent, Map.of());
      sn.commit(n, "prep-" + n, Map.of());
      parent = n;
    }
  }

  @Test
  void prepareWithoutParentIsRwBindAndCreatesLayout() throws IOException {
    List<Mount> m = sn.prepare("a", "", Map.of());
    assertThat(m).containsExactly(new Mount("bind", fs(1), List.of("rw", "rbind")));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(fs(1)))))
        .isEqualTo("rwxr-xr-x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(work(1)))))
        .isEqualTo("rwx--x--x");
    assertThat(snapshotDirs(root)).containsExactly("1");
  }

  @Test
  void viewWithoutParentIsRoBind() throws IOException {
    assertThat(sn.view("v", "", Map.of()))
        .containsExactly(new Mount("bind", fs(1), List.of("ro", "rbind")));
    assertThat(Path.of(work(1))).doesNotExist();
  }

  @Test
  void activeWithOneParentIsOverlayWithUpperAndWork() throws IOException {
    chain("base");
    assertThat(sn.prepare("c", "base", Map.of()))
        .containsExactly(
            new Mount(
                "overlay",
                "overlay",
                List.of("workdir=" + work(2), "upperdir=" + fs(2), "lowerdir=" + fs(1))));
  }

  @Test
  void viewWithOneParentIsRoBindOfParent() throws IOException {
    chain("base");
    assertThat(sn.view("v", "base", Map.of()))
        .containsExactly(new Mount("bind", fs(1), List.of("ro", "rbind")));
  }

  @Test
  void activeWithThreeParentsListsImmediateParentFirst() throws IOException {
    chain("l1", "l2", "l3");
    assertThat(sn.prepare("c", "l3", Map.of()))
        .containsExactly(
            new Mount(
                "overlay",
                "overlay",
                List.of(
                    "workdir=" + work(4),
                    "upperdir=" + fs(4),
                    "lowerdir=" + fs(3) + ":" + fs(2) + ":" + fs(1))));
  }

  @Test
  void viewWithTwoParentsIsOverlayWithLowerdirOnly() throws IOException {
    chain("l1", "l2");
    assertThat(sn.view("v", "l2", Map.of()))
        .containsExactly(
            new Mount("overlay", "overlay", List.of("lowerdir=" + fs(2) + ":" + fs(1))));
  }

  @Test
  void mountsReturnsWhatPrepareReturned() throws IOException {
    chain("base");
    List<Mount> m = sn.prepare("c", "base", Map.of());
    assertThat(sn.mounts("c")).isEqualTo(m);
    expectError(ErrorKind.FAILED_PRECONDITION, () -> sn.mounts("base"));
    SnapshotException e = expectError(ErrorKind.NOT_FOUND, () -> sn.mounts("nope"));
    assertThat(e.getMessage())
        .isEqualTo("failed to get active mount: snapshot does not exist: not found");
  }

  @Test
  void commitTurnsActiveIntoCommittedAndKeyDisappears() throws IOException {
    sn.prepare("k", "", Map.of("a", "1"));
    sn.commit("c", "k", Map.of("b", "2"));
    Info c = sn.stat("c");
    assertThat(c.kind()).isEqualTo(Kind.COMMITTED);
    assertThat(c.parent()).isEmpty();
    assertThat(c.labels()).containsExactly(Map.entry("b", "2"));
    expectError(ErrorKind.NOT_FOUND, () -> sn.stat("k"));
    sn.prepare("k2", "c", Map.of());
    sn.commit("c2", "k2", Map.of());
    assertThat(sn.stat("c2").parent()).isEqualTo("c");
    assertThat(sn.stat(sn.stat("c2").parent()).parent()).isEmpty();
  }

  @Test
  void commitTwiceAndCommitErrors() throws IOException {
    sn.prepare("k", "", Map.of());
    sn.commit("c", "k", Map.of());
    expectError(ErrorKind.NOT_FOUND, () -> sn.commit("c-again", "k", Map.of()));
    sn.prepare("k2", "", Map.of());
    SnapshotException dup =
        expectError(ErrorKind.ALREADY_EXISTS, () -> sn.commit("c", "k2", Map.of()));
    assertThat(dup.getMessage())
        .isEqualTo("failed to commit snapshot k2: committed snapshot c: already exists");
    sn.view("v", "c", Map.of());
    SnapshotException view =
        expectError(ErrorKind.FAILED_PRECONDITION, () -> sn.commit("cv", "v", Map.of()));
    assertThat(view.getMessage())
        .isEqualTo(
            "failed to commit snapshot v: snapshot \"v\" is not active: failed precondition");
    assertThat(sn.stat("k2").kind()).isEqualTo(Kind.ACTIVE);
  }

  @Test
  void duplicateKeysAndBadParentsFailWithoutLeavingDirectories() throws IOException {
    chain("base");
    sn.prepare("k", "base", Map.of());
    List<String> before = snapshotDirs(root);
    SnapshotException dup =
        expectError(ErrorKind.ALREADY_EXISTS, () -> sn.prepare("k", "base", Map.of()));
    assertThat(dup.getMessage()).isEqualTo("failed to create snapshot: snapshot k: already exists");
    expectError(ErrorKind.ALREADY_EXISTS, () -> sn.view("k", "base", Map.of()));
    SnapshotException missing =
        expectError(ErrorKind.NOT_FOUND, () -> sn.prepare("x", "nope", Map.of()));
    assertThat(missing.getMessage())
        .isEqualTo("failed to create snapshot: missing parent \"nope\" bucket: not found");
    expectError(ErrorKind.INVALID_ARGUMENT, () -> sn.prepare("y", "k", Map.of()));
    assertThat(snapshotDirs(root)).isEqualTo(before);
    sn.view("v", "base", Map.of());
    expectError(ErrorKind.ALREADY_EXISTS, () -> sn.view("v", "base", Map.of()));
  }

  @Test
  void emptyKeysAreRejected() throws IOException {
    expectError(ErrorKind.INVALID_ARGUMENT, () -> sn.prepare("", "", Map.of()));
    sn.prepare("k", "", Map.of());
    expectError(ErrorKind.INVALID_ARGUMENT, () -> sn.commit("", "k", Map.of()));
    assertThat(snapshotDirs(root)).containsExactly("1");
  }

  @Test
  void concurrentPreparesAndCommitsGetDistinctIdsAndDirectories() throws Exception {
    chain("base");
    int threads = 8;
    int each = 20;
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.Set<String> uppers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    for (int t = 0; t < threads; t++) {
      int n = t;
      workers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < each; i++) {
                        String key = "t" + n + "-" + i;
                        List<Mount> m = sn.prepare(key, "base", Map.of());
                        uppers.add(
                            m.getFirst().options().stream()
                                .filter(o -> o.startsWith("upperdir="))
                                .findFirst()
                                .orElseThrow());
                        if (i % 2 == 0) {
                          sn.commit("c-" + key, key, Map.of());
                        } else {
                          sn.remove(key);
                        }
                      }
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }));
    }
    for (Thread w : workers) {
      w.join();
    }
    assertThat(failures).isEmpty();
    assertThat(uppers).hasSize(threads * each);
    assertThat(walk("kind==committed")).hasSize(1 + threads * each / 2);
    sn.cleanup();
    assertThat(snapshotDirs(root)).hasSize(1 + threads * each / 2);
  }

  @Test
  void removeRespectsChildrenAndIsFinal() throws IOException {
    chain("base", "mid");
    sn.prepare("top", "mid", Map.of());
    SnapshotException e = expectError(ErrorKind.FAILED_PRECONDITION, () -> sn.remove("mid"));
    assertThat(e.getMessage())
        .isEqualTo(
            "failed to remove snapshot mid: cannot remove snapshot with child: failed precondition");
    sn.remove("top");
    sn.remove("mid");
    sn.remove("base");
    expectError(ErrorKind.NOT_FOUND, () -> sn.remove("base"));
    List<String> names = new ArrayList<>();
    sn.walk(List.of(), i -> names.add(i.name()));
    assertThat(names).isEmpty();
  }

  @Test
  void removedKeyIsImmediatelyReusableWithANewId() throws IOException {
    sn.prepare("k", "", Map.of());
    sn.remove("k");
    assertThat(sn.prepare("k", "", Map.of()))
        .containsExactly(new Mount("bind", fs(2), List.of("rw", "rbind")));
  }

  @Test
  void statAndUpdateLabels() throws Exception {
    sn.prepare("k", "", Map.of());
    sn.commit("c", "k", Map.of("a", "1", "b", "2"));
    Info before = sn.stat("c");
    Thread.sleep(2);
    Info u = sn.update(Info.forUpdate("c", Map.of("a", "x", "z", "9")), List.of("labels.a"));
    assertThat(u.labels()).containsOnly(Map.entry("a", "x"), Map.entry("b", "2"));
    assertThat(u.created()).isEqualTo(before.created());
    assertThat(u.updated()).isAfter(before.updated());
    assertThat(u.kind()).isEqualTo(Kind.COMMITTED);
    assertThat(sn.stat("c")).isEqualTo(u);
    assertThat(sn.update(Info.forUpdate("c", Map.of()), List.of("labels.b")).labels())
        .containsOnly(Map.entry("a", "x"));
    assertThat(sn.update(Info.forUpdate("c", Map.of("n", "1")), List.of()).labels())
        .containsOnly(Map.entry("n", "1"));
    assertThat(sn.update(Info.forUpdate("c", Map.of("m", "2")), List.of("labels")).labels())
        .containsOnly(Map.entry("m", "2"));
    SnapshotException bad =
        expectError(
            ErrorKind.INVALID_ARGUMENT,
            () -> sn.update(Info.forUpdate("c", Map.of()), List.of("parent")));
    assertThat(bad.getMessage())
        .isEqualTo("cannot update \"parent\" field on snapshot \"c\": invalid argument");
    expectError(ErrorKind.NOT_FOUND, () -> sn.update(Info.forUpdate("nope", Map.of()), List.of()));
  }

  @Test
  void walkFilters() throws IOException {
    chain("base");
    sn.prepare("active", "base", Map.of("containerd.io/snapshot.ref", "sha256:abc", "x", "1"));
    sn.view("view", "base", Map.of("x", "2"));
    assertThat(walk()).containsExactly("active", "base", "view");
    assertThat(walk("name==base")).containsExactly("base");
    assertThat(walk("labels.x==2")).containsExactly("view");
    assertThat(walk("labels.\"containerd.io/snapshot.ref\"==sha256:abc,parent==\"base\""))
        .containsExactly("active");
    assertThat(walk("labels.\"containerd.io/snapshot.ref\"==sha256:abc,parent==other")).isEmpty();
    assertThat(walk("kind==committed")).containsExactly("base");
    assertThat(walk("kind==view", "kind==active")).containsExactly("active", "view");
    assertThat(walk("labels.x")).containsExactly("active", "view");
    assertThat(walk("labels.x!=1")).containsExactly("base", "view");
    assertThat(walk("name~=^v")).containsExactly("view");
    SnapshotException e = expectError(ErrorKind.INVALID_ARGUMENT, () -> walk("name=="));
    assertThat(e.getMessage()).startsWith("filters: parse error");
  }

  @Test
  void walkCallbackMayCallBackIntoTheSnapshotter() throws IOException {
    chain("a", "b");
    List<Info> stats = new ArrayList<>();
    sn.walk(
        List.of(),
        i -> {
          try {
            stats.add(sn.stat(i.name()));
            sn.update(Info.forUpdate(i.name(), Map.of("seen", "1")), List.of("labels.seen"));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    assertThat(stats).extracting(Info::name).containsExactly("a", "b");
    assertThat(sn.stat("a").labels()).containsEntry("seen", "1");
  }

  protected List<String> walk(String... filters) throws IOException {
    List<String> names = new ArrayList<>();
    sn.walk(List.of(filters), i -> names.add(i.name()));
    return names;
  }

  @Test
  void usageIsLiveForActiveAndRecordedAtCommit() throws IOException {
    sn.prepare("k", "", Map.of());
    assertThat(sn.usage("k").inodes()).isEqualTo(1);
    Files.write(Path.of(fs(1), "data"), new byte[10_000]);
    Files.createLink(Path.of(fs(1), "hardlink"), Path.of(fs(1), "data"));
    Usage live = sn.usage("k");
    assertThat(live.inodes()).isEqualTo(2);
    assertThat(live.size()).isGreaterThanOrEqualTo(10_000);
    sn.commit("c", "k", Map.of());
    Files.write(Path.of(fs(1), "more"), new byte[50_000]);
    assertThat(sn.usage("c")).isEqualTo(live);
    sn.view("v", "c", Map.of());
    assertThat(sn.usage("v")).isEqualTo(Usage.ZERO);
    expectError(ErrorKind.NOT_FOUND, () -> sn.usage("nope"));
  }

  @Test
  void removeIsAsynchronousAndCleanupDeletesOrphans() throws IOException {
    chain("keep");
    sn.prepare("gone", "", Map.of());
    sn.remove("gone");
    assertThat(Path.of(fs(2))).exists();
    Files.createDirectories(root.resolve("snapshots/new-123/fs"));
    Files.createDirectories(root.resolve("snapshots/999/fs"));
    Files.writeString(root.resolve("snapshots/999/fs/file"), "x");
    sn.cleanup();
    assertThat(snapshotDirs(root)).containsExactly("1");
    assertThat(sn.stat("keep").kind()).isEqualTo(Kind.COMMITTED);
  }

  @Test
  void stateSurvivesCloseAndReopen() throws IOException {
    chain("base");
    sn.prepare("k", "base", Map.of("l", "v"));
    sn.view("v", "base", Map.of());
    Info base = sn.stat("base");
    List<Mount> m = sn.mounts("k");
    sn.close();
    sn = open(root, remote);
    assertThat(sn.stat("base")).isEqualTo(base);
    assertThat(sn.mounts("k")).isEqualTo(m);
    assertThat(sn.stat("k").labels()).containsExactly(Map.entry("l", "v"));
    assertThat(sn.prepare("next", "base", Map.of()).getFirst().options())
        .contains("upperdir=" + fs(4));
  }

  // ---- soci remote-snapshot Prepare protocol ----

  protected static final String REF = SnapshotLabels.TARGET_SNAPSHOT_REF;

  @Test
  void prepareWithoutTargetLabelNeverAsksTheRemote() throws IOException {
    sn.prepare("rootfs", "", Map.of("x", "y"), "default");
    assertThat(remote.calls).isEmpty();
    assertThat(sn.stat("rootfs").labels()).containsExactly(Map.entry("x", "y"));
  }

  @Test
  void remoteOutcomeCommitsUnderTargetAndAnswersAlreadyExists() throws IOException {
    chain("base");
    remote.answer =
        (key, fsDir, labels) -> {
          Files.writeString(fsDir.resolve("lazy"), "content that usage must not count");
          return new RemotePreparer.Remote();
        };
    SnapshotException e =
        expectError(
            ErrorKind.ALREADY_EXISTS,
            () ->
                sn.prepare(
                    "extract-1 sha256:t",
                    "base",
                    Map.of(REF, "sha256:t", "containerd.io/snapshot/cri.layer-digest", "sha256:l"),
                    "k8s.io"));
    assertThat(e.getMessage()).isEqualTo("target snapshot \"sha256:t\": already exists");
    assertThat(remote.calls).containsExactly("extract-1 sha256:t -> " + fs(2));
    assertThat(remote.labelsSeen.getFirst())
        .containsEntry(SnapshotLabels.TARGET_NAMESPACE, "k8s.io");
    Info t = sn.stat("sha256:t");
    assertThat(t.kind()).isEqualTo(Kind.COMMITTED);
    assertThat(t.parent()).isEqualTo("base");
    assertThat(t.labels())
        .containsOnly(
            Map.entry(REF, "sha256:t"),
            Map.entry("containerd.io/snapshot/cri.layer-digest", "sha256:l"),
            Map.entry(SnapshotLabels.TARGET_NAMESPACE, "k8s.io"),
            Map.entry(SnapshotLabels.REMOTE, SnapshotLabels.REMOTE_VALUE),
            Map.entry(SnapshotLabels.HAS_SOCI_INDEX_DIGEST, "true"));
    assertThat(sn.usage("sha256:t")).isEqualTo(Usage.ZERO);
    expectError(ErrorKind.NOT_FOUND, () -> sn.stat("extract-1 sha256:t"));
    // containerd finds the committed target with exactly this filter after ALREADY_EXISTS.
    assertThat(walk("labels.\"containerd.io/snapshot.ref\"==sha256:t,parent==\"base\""))
        .containsExactly("sha256:t");
    assertThat(sn.prepare("ctr", "sha256:t", Map.of()).getFirst().options())
        .containsExactly(
            "workdir=" + work(3), "upperdir=" + fs(3), "lowerdir=" + fs(2) + ":" + fs(1));
  }

  @Test
  void localOutcomeCommitsWithMeasuredUsageAndNoRemoteLabel() throws IOException {
    remote.answer =
        (key, fsDir, labels) -> {
          Files.write(fsDir.resolve("unpacked"), new byte[8192]);
          return new RemotePreparer.Local();
        };
    expectError(
        ErrorKind.ALREADY_EXISTS,
        () -> sn.prepare("extract", "", Map.of(REF, "sha256:l"), "default"));
    Info t = sn.stat("sha256:l");
    assertThat(t.labels())
        .containsEntry(SnapshotLabels.HAS_SOCI_INDEX_DIGEST, "true")
        .doesNotContainKey(SnapshotLabels.REMOTE);
    assertThat(sn.usage("sha256:l").inodes()).isEqualTo(2);
    assertThat(sn.usage("sha256:l").size()).isGreaterThanOrEqualTo(8192);
  }

  @Test
  void deferOutcomeAndRemoteFailureReturnNormalMounts() throws IOException {
    remote.answer = (key, fsDir, labels) -> new RemotePreparer.Defer("no index");
    assertThat(sn.prepare("a", "", Map.of(REF, "sha256:a"), "default"))
        .containsExactly(new Mount("bind", fs(1), List.of("rw", "rbind")));
    assertThat(sn.stat("a").kind()).isEqualTo(Kind.ACTIVE);
    assertThat(sn.stat("a").labels()).containsExactly(Map.entry(REF, "sha256:a"));
    remote.answer =
        (key, fsDir, labels) -> {
          throw new IOException("registry unreachable");
        };
    assertThat(sn.prepare("b", "", Map.of(REF, "sha256:b"), "default"))
        .containsExactly(new Mount("bind", fs(2), List.of("rw", "rbind")));
    sn.commit("sha256:b", "b", Map.of(REF, "sha256:b"));
    assertThat(sn.stat("sha256:b").kind()).isEqualTo(Kind.COMMITTED);
  }

  @Test
  void existingTargetAnswersAlreadyExistsWithoutCreatingAnything() throws IOException {
    remote.answer = (key, fsDir, labels) -> new RemotePreparer.Remote();
    expectError(
        ErrorKind.ALREADY_EXISTS,
        () -> sn.prepare("ns1/1/extract", "", Map.of(REF, "sha256:t"), "ns1"));
    List<String> dirs = snapshotDirs(root);
    SnapshotException e =
        expectError(
            ErrorKind.ALREADY_EXISTS,
            () -> sn.prepare("ns2/7/extract", "", Map.of(REF, "sha256:t"), "ns2"));
    assertThat(e.getMessage()).isEqualTo("target snapshot \"sha256:t\": already exists");
    assertThat(remote.calls).hasSize(1);
    expectError(ErrorKind.NOT_FOUND, () -> sn.stat("ns2/7/extract"));
    assertThat(snapshotDirs(root)).isEqualTo(dirs);
  }

  @Test
  void losingTheCommitRaceStillAnswersAlreadyExistsAndDropsTheActive() throws IOException {
    remote.answer =
        (key, fsDir, labels) -> {
          // Another prepare of the same target finishes first.
          sn.prepare("other", "", Map.of());
          sn.commit("sha256:t", "other", Map.of(REF, "sha256:t"));
          return new RemotePreparer.Remote();
        };
    expectError(
        ErrorKind.ALREADY_EXISTS, () -> sn.prepare("mine", "", Map.of(REF, "sha256:t"), "default"));
    expectError(ErrorKind.NOT_FOUND, () -> sn.stat("mine"));
    assertThat(sn.stat("sha256:t").labels()).doesNotContainKey(SnapshotLabels.REMOTE);
    sn.cleanup();
    assertThat(snapshotDirs(root)).containsExactly("2");
  }
}
