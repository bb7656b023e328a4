package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.OciLayoutWriter;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code soci image rpull} against a real registry, containerd and our daemon as proxy snapshotter.
 * The daemon's preparer is a {@link BindMountPreparer} that knows only the image's top layer: that
 * layer takes the ALREADY_EXISTS path (never downloaded), the busybox layer is fetched and applied
 * by containerd's diff service. A daemon "kill -9" and restart then re-mounts the remote layer, and
 * containers still run. (Ordered: the first test expects the shared busybox layer to be new.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RpullIT {
  static RpullStack stack;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    stack = new RpullStack(tmp, "rpull", "lazy hello\n", List.of());
    stack.start();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  /** {@code soci image rpull --address <containerdSocket> <args>}, run in-process. */
  private static Run rpullAt(Path containerdSocket, String... args) {
    List<String> all =
        new ArrayList<>(List.of("image", "rpull", "--address", containerdSocket.toString()));
    all.addAll(List.of(args));
    return SociRuns.run(all.toArray(String[]::new));
  }

  /** Pulls the stack's image into the "default" namespace, with {@code extra} options. */
  private static Run rpull(String... extra) {
    List<String> args = new ArrayList<>(List.of("--namespace", "default", "--plain-http"));
    args.addAll(List.of(extra));
    args.add(stack.ref);
    return rpullAt(stack.containerd.socket(), args.toArray(String[]::new));
  }

  private static void assertRuns(String id) {
    ContainerdProcess.Result run =
        stack.containerd.runOnSoci(
            stack.ref, id + "-", "sh", "-c", "cat /app/greeting.txt; ls /bin/busybox");
    assertThat(run.ok())
        .as("run: %s\n%s\n%s", run.output(), stack.containerd.logTail(), stack.daemon.logText())
        .isTrue();
    assertThat(run.stdout()).contains("lazy hello", "/bin/busybox");
  }

  @Test
  @Order(1)
  void remoteLayerIsNotDownloadedAndSurvivesADaemonCrash() throws Exception {
    String appDigest = stack.appDigest();
    String baseDigest = stack.baseDigest();

    Run r = rpull();
    assertThat(r.rc())
        .as("stdout %s\nstderr %s\n%s", r.out(), r.err(), stack.daemon.logText())
        .isZero();
    assertThat(r.out())
        .contains(stack.ref + ": resolved")
        .contains("layer-" + baseDigest + ": done")
        .contains("layer-" + appDigest + ": exists")
        .containsPattern("elapsed: [0-9.]+ s total: [0-9.]+ Mi \\([0-9.]+ MiB/s\\)");
    assertThat(stack.preparer.prepared).hasSize(1);
    assertThat(stack.registry.blobBytesServed(appDigest.substring("sha256:".length()))).isZero();
    assertThat(stack.registry.blobBytesServed(baseDigest.substring("sha256:".length())))
        .isPositive();

    ContainerdProcess.Result img = stack.containerd.ctr("images", "ls", "-q");
    assertThat(img.stdout()).contains(stack.ref);
    ContainerdProcess.Result snaps =
        stack.containerd.ctr("snapshots", "--snapshotter", "soci", "ls");
    assertThat(snaps.stdout().lines().filter(l -> l.contains("Committed")).count())
        .as(snaps.stdout())
        .isEqualTo(2);
    ContainerdProcess.Result cfg = stack.containerd.ctr("content", "ls");
    assertThat(cfg.stdout()).contains("containerd.io/gc.ref.snapshot.soci=");
    assertRuns("rpull-1");

    // A second pull finds both chain IDs.
    r = rpull();
    assertThat(r.rc()).isZero();
    assertThat(r.out())
        .contains("layer-" + baseDigest + ": exists", "layer-" + appDigest + ": exists");

    // kill -9: nothing is unmounted; the restart removes the stale mount and re-mounts the layer.
    stack.daemon.wiring().crash();
    Path fsDir = stack.daemon.root.resolve("snapshotter/snapshots");
    assertThat(dev.finch.testkit.MountCleaner.mountsUnder(fsDir)).hasSize(1);
    stack.startDaemon();
    assertThat(stack.daemon.logText())
        .contains("\"event\":\"stale-mount-removed\"", "\"event\":\"remote-snapshot-restored\"");
    stack.containerd.awaitSnapshotter(
        "soci", java.time.Duration.ofSeconds(30)); // its connection is in back-off
    assertThat(stack.preparer.prepared).hasSize(2);
    assertThat(dev.finch.testkit.MountCleaner.mountsUnder(fsDir)).hasSize(1);
    snaps = stack.containerd.ctr("snapshots", "--snapshotter", "soci", "ls");
    assertThat(snaps.stdout().lines().filter(l -> l.contains("Committed")).count()).isEqualTo(2);
    assertRuns("rpull-2");

    // A graceful stop unmounts the remote layer through the preparer.
    stack.daemon.wiring().close();
    assertThat(stack.preparer.unmounted).hasSize(1);
    assertThat(dev.finch.testkit.MountCleaner.mountsUnder(fsDir)).isEmpty();
    stack.startDaemon();
    assertRuns("rpull-3");
  }

  @Test
  @Order(2)
  void multiPlatformIndexPullsTheRequestedPlatform() throws Exception {
    OciLayoutWriter w = new OciLayoutWriter(tmp.resolve("multi"));
    TarLayer amd = TarLayer.builder().dir("app").file("app/arch.txt", "amd64 flavour\n").build();
    TarLayer arm = TarLayer.builder().dir("app").file("app/arch.txt", "arm64 flavour\n").build();
    OciImage a =
        w.platformImage()
            .layer(TestImages.busyboxLayer(), OciLayoutWriter.Compression.GZIP)
            .layer(amd, OciLayoutWriter.Compression.GZIP)
            .env("PATH=/bin")
            .cmd("sh")
            .platform("linux/amd64")
            .write();
    OciImage b =
        w.platformImage()
            .layer(TestImages.busyboxLayer(), OciLayoutWriter.Compression.GZIP)
            .layer(arm, OciLayoutWriter.Compression.GZIP)
            .env("PATH=/bin")
            .cmd("sh")
            .platform("linux/arm64")
            .write();
    OciImage index = w.writeIndex("multi", "v1", List.of(a, b));
    TestImages.push(index, stack.registry.hostPort(), "it/multi", "v1");
    String multiRef = stack.registry.hostPort() + "/it/multi:v1";

    Run r =
        rpullAt(stack.containerd.socket(), "--plain-http", "--platform", "linux/amd64", multiRef);
    assertThat(r.rc()).as("%s%s", r.out(), r.err()).isZero();
    assertThat(r.out())
        .contains(
            "index-" + index.target().digest() + ": done",
            "manifest-" + a.single().manifest().digest() + ": done",
            "layer-" + a.single().layers().get(1).blob().digest() + ": done");
    assertThat(stack.registry.blobBytesServed(b.single().layers().get(1).blob().hex())).isZero();
    assertThat(stack.containerd.ctr("images", "ls").stdout())
        .contains(multiRef)
        .contains(index.target().digest());
    assertThat(stack.containerd.ctr("content", "ls").stdout())
        .containsPattern(
            index.target().hex().substring(0, 12)
                + ".*containerd.io/gc.ref.content.m.0="
                + a.single().manifest().digest());
    ContainerdProcess.Result run =
        stack.containerd.runOnSoci(multiRef, "multi-", "cat", "/app/arch.txt");
    assertThat(run.ok()).as(run.output()).isTrue();
    assertThat(run.stdout()).contains("amd64 flavour");
  }

  @Test
  void unknownImageIsOneLineError() {
    Run r =
        rpullAt(
            stack.containerd.socket(), "--plain-http", stack.registry.hostPort() + "/it/none:v0");
    assertThat(r.rc()).isEqualTo(1);
    assertThat(r.err().strip())
        .startsWith("soci: rpull " + stack.registry.hostPort() + "/it/none:v0: ")
        .doesNotContain("\n");
  }

  @Test
  void unreachableContainerdIsOneLineErrorAfterTheRegistryResolved(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    Run r = rpullAt(dir.resolve("no-containerd.sock"), "--plain-http", stack.ref);
    assertThat(r.rc()).isEqualTo(1);
    assertThat(r.out())
        .as("the registry was asked while containerd was being connected to")
        .contains(stack.ref + ": resolved");
    assertThat(r.err().strip())
        .startsWith("soci: rpull " + stack.ref + ": ")
        .contains("containerd")
        .doesNotContain("\n");
  }

  @Test
  @Order(99) // last: it removes the daemon's root
  void aSnapshotterThatLostItsRootMakesTheRpullFailInsteadOfSpinning() throws Exception {
    Run first = rpull();
    assertThat(first.rc()).as("%s\n%s", first.out(), first.err()).isZero();
    // containerd's metadata keeps the image's snapshots; the snapshotter's own store is gone
    stack.daemon.wiring().close();
    dev.finch.testkit.MountCleaner.unmountUnder(stack.daemon.root);
    try (var paths = java.nio.file.Files.walk(stack.daemon.root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(p);
      }
    }
    stack.startDaemon();
    stack.containerd.awaitSnapshotter("soci", java.time.Duration.ofSeconds(30));
    long t0 = System.nanoTime();
    Run r = rpull();
    assertThat(r.rc()).as("%s\n%s", r.out(), r.err()).isNotZero();
    assertThat(r.err())
        .contains("containerd's metadata and the snapshotter disagree")
        .doesNotContain("\tat ");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0))
        .as("three attempts, not a loop")
        .isLessThan(java.time.Duration.ofSeconds(30));
  }
}
