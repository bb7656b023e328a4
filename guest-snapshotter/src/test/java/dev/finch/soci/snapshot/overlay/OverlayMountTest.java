package dev.finch.soci.snapshot.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.finch.soci.snapshot.FakeRemote;
import dev.finch.soci.snapshot.Mount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mounts what the snapshotter returns with the real kernel, the way containerd's {@code mount.All}
 * would, using this host's detected overlay options. Needs root; skipped without it on a laptop,
 * but with {@code CI=true} a missing root fails the test instead of hiding it.
 */
class OverlayMountTest {
  @TempDir Path tmp;
  private final List<Path> mounted = new ArrayList<>();
  private OverlaySnapshotter sn;
  private FakeRemote remote;

  @BeforeEach
  void requireRoot() throws IOException {
    boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    if ("true".equals(System.getenv("CI"))) {
      assertTrue(root, "CI=true: overlay mount tests must run as root");
    } else {
      assumeTrue(root, "overlay mount tests need root");
    }
    remote = new FakeRemote();
    sn =
        OverlaySnapshotter.open(
            OverlaySnapshotter.Config.of(tmp.resolve("root")).withRemote(remote));
  }

  @AfterEach
  void unmountAll() throws Exception {
    for (Path p : mounted.reversed()) {
      if (!MountTable.mountsUnder(p).isEmpty()) {
        run("umount", "-l", p.toString());
      }
    }
    if (sn != null) {
      sn.close();
    }
  }

  @Test
  void baseChildAndViewsMountAndLayerAsOverlayfs() throws Exception {
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    List<Mount> base = sn.prepare("base-key", "", Map.of());
    assertThat(base.getFirst().type()).isEqualTo("bind");
    mount(base, target);
    Files.writeString(target.resolve("base.txt"), "from base");
    umount(target);
    sn.commit("base", "base-key", Map.of());

    List<Mount> child = sn.prepare("child-key", "base", Map.of());
    assertThat(child.getFirst().type()).isEqualTo("overlay");
    mount(child, target);
    assertThat(Files.readString(target.resolve("base.txt"))).isEqualTo("from base");
    Files.writeString(target.resolve("child.txt"), "from child");
    Files.writeString(target.resolve("base.txt"), "changed in child");
    umount(target);
    Path upper = sn.upperPath("child-key");
    assertThat(Files.readString(upper.resolve("child.txt"))).isEqualTo("from child");
    assertThat(Files.readString(sn.upperPath("base").resolve("base.txt"))).isEqualTo("from base");
    assertThat(sn.usage("child-key").inodes()).isEqualTo(3);
    sn.commit("child", "child-key", Map.of());

    Path view = Files.createDirectories(tmp.resolve("view"));
    List<Mount> two = sn.view("view-key", "child", Map.of());
    assertThat(two.getFirst().options()).noneMatch(o -> o.startsWith("upperdir="));
    mount(two, view);
    assertThat(Files.readString(view.resolve("base.txt"))).isEqualTo("changed in child");
    assertThat(Files.readString(view.resolve("child.txt"))).isEqualTo("from child");
    assertThat(Files.isWritable(view.resolve("child.txt")) && canWrite(view)).isFalse();
    umount(view);

    List<Mount> one = sn.view("view-one", "base", Map.of());
    mount(one, view);
    assertThat(Files.readString(view.resolve("base.txt"))).isEqualTo("from base");
    assertThat(canWrite(view)).isFalse();
    umount(view);
  }

  @Test
  void cleanupUnmountsRemoteLayersAndNeverDeletesThroughAMount() throws Exception {
    sn.prepare("a", "", Map.of());
    sn.prepare("b", "", Map.of());
    Path fsA = sn.upperPath("a");
    Path fsB = sn.upperPath("b");
    for (Path fs : List.of(fsA, fsB)) {
      run("mount", "-t", "tmpfs", "tmpfs", fs.toString());
      mounted.add(fs);
      Files.writeString(fs.resolve("lazy.txt"), "remote content");
    }
    assertThat(sn.mountsUnderSnapshots()).containsExactlyInAnyOrder(fsA, fsB);
    sn.remove("a");
    sn.remove("b");
    remote.onUnmount =
        fs -> {
          if (fs.equals(fsA)) {
            try {
              run("umount", fs.toString());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException(e);
            }
          }
        };
    sn.cleanup();
    assertThat(remote.unmounted).containsExactlyInAnyOrder(fsA, fsB);
    assertThat(fsA.getParent()).doesNotExist();
    assertThat(Files.readString(fsB.resolve("lazy.txt"))).isEqualTo("remote content");
  }

  private static boolean canWrite(Path dir) {
    try {
      Files.delete(Files.createFile(dir.resolve("probe")));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * containerd's mount.All for one mount: {@code mount -t <type> -o <options> <source> <target>}.
   */
  private void mount(List<Mount> mounts, Path target) throws Exception {
    assertThat(mounts).hasSize(1);
    Mount m = mounts.getFirst();
    List<String> argv = new ArrayList<>(List.of("mount"));
    if (!m.type().equals("bind")) {
      argv.addAll(List.of("-t", m.type()));
    }
    argv.addAll(List.of("-o", String.join(",", m.options()), m.source(), target.toString()));
    run(argv.toArray(String[]::new));
    mounted.add(target);
  }

  private void umount(Path target) throws Exception {
    run("umount", target.toString());
    mounted.remove(target);
  }

  private static void run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IOException(String.join(" ", argv) + " exited " + rc + ": " + out);
    }
  }
}
