package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.spi.PluginConfig;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.MountCleaner;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.TarLayer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer whose every span is cached is handed over to a native directory: the copy has every
 * file's bytes, mode, owner, time, link and overlayfs marker, it is bound read-only on top of the
 * FUSE mount, the copy's reads are not recorded as a start's, a restart binds the copy again
 * without copying, and an unmount or shutdown leaves nothing mounted. Against a real registry, FUSE
 * and overlayfs (root).
 */
class NativeHandoverIT {
  private static final String REPO = "it/native";
  private static final int SIZE = 300_000;
  private static final Instant MTIME = Instant.parse("2024-05-06T07:08:09Z");

  @TempDir static Path shared;
  static RegistryFixture registry;
  static RegistryClient client;
  static Digest digest;
  static Ztoc ztoc;

  @TempDir Path tmp;
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<Map<String, Object>> handovers = new CopyOnWriteArrayList<>();
  private final EventSink sink =
      new EventSink() {
        @Override
        public void event(String level, String event, String message, Map<String, ?> fields) {
          events.add(event);
          if (event.equals("native-handover")) {
            handovers.add(Map.<String, Object>copyOf(fields));
          }
        }
      };

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryFixture.builder().start();
    TarLayer layer =
        TarLayer.builder()
            .mtime(MTIME)
            .dir("data", 0750)
            .file("data/small.txt", "hello\n".getBytes(StandardCharsets.UTF_8), 0640)
            .randomFile("data/big.bin", SIZE, 7)
            .symlink("data/link", "small.txt")
            .hardlink("data/hard.txt", "data/small.txt")
            .whiteout("gone")
            .dir("op")
            .opaque("op")
            .file("op/new", "new\n")
            .build();
    client = RegistryClient.builder(registry.hostPort()).plainHttp(true).build();
    PushedLayer pushed = PushedLayer.push(client, REPO, layer, 64 << 10);
    digest = pushed.digest();
    ztoc = pushed.ztoc();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  @AfterEach
  void unmount() {
    MountCleaner.unmountUnder(tmp);
  }

  private LayerMounts mounts(SpanStore store, boolean handover) throws IOException {
    return new LayerMounts(
        store,
        new BackgroundFetcher(new PluginConfig.BackgroundFetch(false, 1, 0, -1), sink),
        sink,
        new Recordings(tmp.resolve("record"), sink),
        handover);
  }

  private RemoteLayer mount(LayerMounts mounts, Path fs) throws IOException {
    RemoteLayer layer = mounts.open(client, REPO, digest, ztoc);
    mounts.mount(fs, ztoc, layer);
    return layer;
  }

  private Path fsDir() throws IOException {
    return Files.createDirectories(tmp.resolve("snapshots/1/fs"));
  }

  @Test
  void aCompleteLayerIsCopiedAndBoundReadOnlyOverItsFuseMount() throws Exception {
    ContainerdFixture.assumeRoot(); // FUSE, mount, chown
    Path fs = fsDir();
    SpanStore store = SpanStore.open(tmp.resolve("spans"), 0);
    try (LayerMounts mounts = mounts(store, true)) {
      RemoteLayer layer = mount(mounts, fs);
      awaitHandover();
      assertThat(handovers.getFirst())
          .containsEntry("layer", digest.toString())
          .containsEntry("mountpoint", fs.toString())
          .containsKey("copy_ms");
      assertThat(mountTypes(fs)).as("the bind on top of the FUSE mount").hasSize(2);
      assertThat(mountTypes(fs).getFirst()).startsWith("fuse");
      assertThat(mountTypes(fs).getLast()).doesNotStartWith("fuse");
      assertThat(layer.servedBytes()).as("the copy is no container's read").isZero();
      assertThat(layer.syncReads()).isZero();

      Path nat = fs.resolveSibling("native");
      assertThat(Files.list(fs.getParent()).map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("fs", "native");
      for (Path root : List.of(nat)) { // fs shows the same tree now: the bind
        Path data = root.resolve("data");
        assertThat(Files.readString(data.resolve("small.txt"))).isEqualTo("hello\n");
        assertThat(Files.readAllBytes(data.resolve("big.bin")))
            .isEqualTo(TarLayer.randomBytes(7, SIZE));
        assertThat(Files.getAttribute(data.resolve("small.txt"), "unix:mode")).isEqualTo(0100640);
        assertThat(Files.getAttribute(data, "unix:mode")).isEqualTo(040750);
        assertThat(Files.readSymbolicLink(data.resolve("link")).toString()).isEqualTo("small.txt");
        assertThat(Files.getAttribute(data.resolve("hard.txt"), "unix:ino"))
            .isEqualTo(Files.getAttribute(data.resolve("small.txt"), "unix:ino"));
        assertThat(Files.getAttribute(data.resolve("small.txt"), "unix:nlink")).isEqualTo(2);
        assertThat(Files.getLastModifiedTime(data.resolve("small.txt")))
            .isEqualTo(FileTime.from(MTIME));
        Path gone = root.resolve("gone");
        assertThat(Files.getAttribute(gone, "unix:mode", LinkOption.NOFOLLOW_LINKS))
            .as("a whiteout: char device 0/0")
            .isEqualTo(020000);
        assertThat(Files.getAttribute(gone, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0L);
        assertThat(
                run(
                    "getfattr",
                    "--only-values",
                    "--absolute-names",
                    "-n",
                    "trusted.overlay.opaque",
                    "--",
                    root + "/op"))
            .isEqualTo("y");
      }
      assertThatThrownBy(() -> Files.writeString(fs.resolve("data/x"), "x"))
          .as("the bind is read-only")
          .isInstanceOf(IOException.class);

      // an overlay over it, with a lower layer below: the whiteout and the opaque dir work
      Path base = Files.createDirectories(tmp.resolve("base"));
      Files.writeString(base.resolve("gone"), "old");
      Files.createDirectories(base.resolve("op"));
      Files.writeString(base.resolve("op/old"), "old");
      Path merged = Files.createDirectories(tmp.resolve("merged"));
      run(
          "mount",
          "-t",
          "overlay",
          "overlay",
          "-o",
          "lowerdir=" + fs + ":" + base,
          merged.toString());
      try {
        assertThat(Files.exists(merged.resolve("gone"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(merged.resolve("op/old"))).isFalse();
        assertThat(Files.readString(merged.resolve("op/new"))).isEqualTo("new\n");
        assertThat(Files.readString(merged.resolve("data/small.txt"))).isEqualTo("hello\n");
      } finally {
        run("umount", merged.toString());
      }

      mounts.unmount(fs);
      assertThat(MountCleaner.mountsUnder(tmp))
          .as("the bind and the FUSE mount are gone")
          .isEmpty();
    }
  }

  @Test
  void aRestartBindsTheCopyAgainWithoutCopyingAndAStopUnbindsIt() throws Exception {
    ContainerdFixture.assumeRoot();
    Path fs = fsDir();
    SpanStore store = SpanStore.open(tmp.resolve("spans"), 0);
    try (LayerMounts mounts = mounts(store, true)) {
      mount(mounts, fs);
      awaitHandover();
    }
    assertThat(MountCleaner.mountsUnder(tmp)).as("a stop unmounts both").isEmpty();
    handovers.clear();
    try (LayerMounts mounts = mounts(SpanStore.open(tmp.resolve("spans"), 0), true)) {
      mount(mounts, fs);
      assertThat(handovers).as("bound at the mount, before any fetch").hasSize(1);
      assertThat(handovers.getFirst()).containsEntry("reused", true).doesNotContainKey("copy_ms");
      assertThat(mountTypes(fs).getLast()).doesNotStartWith("fuse");
      assertThat(Files.readString(fs.resolve("data/small.txt"))).isEqualTo("hello\n");
    }
    assertThat(MountCleaner.mountsUnder(tmp)).isEmpty();
  }

  @Test
  void aStopRightAfterTheMountLeavesNoMountAndNoPartialCopy() throws Exception {
    ContainerdFixture.assumeRoot();
    Path fs = fsDir();
    for (int i = 0; i < 5; i++) {
      try (LayerMounts mounts = mounts(SpanStore.open(tmp.resolve("spans-" + i), 0), true)) {
        mount(mounts, fs);
        Thread.sleep(20L * i); // a stop at a different point of the fetch and the copy each time
      }
      assertThat(MountCleaner.mountsUnder(tmp)).isEmpty();
      assertThat(Files.exists(fs.resolveSibling("native.partial"))).isFalse();
      assertThat(Files.exists(fs.resolveSibling("native.src"))).isFalse();
      if (Files.isDirectory(fs.resolveSibling("native"))) {
        MountCleaner.deleteTree(fs.resolveSibling("native"));
      }
    }
    assertThat(events).doesNotContain("native-handover-failed");
  }

  @Test
  void switchedOffTheLayerStaysOnFuse() throws Exception {
    ContainerdFixture.assumeRoot();
    Path fs = fsDir();
    try (LayerMounts mounts = mounts(SpanStore.open(tmp.resolve("spans"), 0), false)) {
      mount(mounts, fs);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!events.contains("background-fetch-complete") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(events).contains("background-fetch-complete");
      Thread.sleep(300);
      assertThat(events).doesNotContain("native-handover");
      assertThat(mountTypes(fs)).hasSize(1);
      assertThat(Files.exists(fs.resolveSibling("native"))).isFalse();
    }
  }

  private void awaitHandover() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (handovers.isEmpty() && System.nanoTime() < deadline) {
      assertThat(events).doesNotContain("native-handover-failed", "native-handover-skipped");
      Thread.sleep(20);
    }
    assertThat(handovers).as("native-handover within 60 s; events: " + events).hasSize(1);
  }

  // The file system types mounted at exactly `dir`, bottom first (mountinfo's order).
  private static List<String> mountTypes(Path dir) throws IOException {
    List<String> types = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (f[4].equals(dir.toString()) && dash > 0) {
        types.add(f[dash + 1]);
      }
    }
    return types;
  }

  private static String run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
    return out;
  }
}
