package dev.finch.soci.fs.fuse;

import static dev.finch.soci.fs.fuse.FuseTestSupport.assertNoMountsUnder;
import static dev.finch.soci.fs.fuse.FuseTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.fs.TestTar;
import dev.finch.soci.fs.UncompressedTarContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What containerd does with our mounts: overlayfs with two FUSE layers as lowerdirs (the upper
 * layer whiting out and opaquing parts of the lower one) and a tmpfs upper/work dir for the
 * container.
 */
class OverlayTest {
  @TempDir Path tmp;
  private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();
  Path lower;
  Path upper;

  @BeforeEach
  void mountLayers() throws Exception {
    FuseTestSupport.requireRootAndFuse();
    Path lowerTar =
        new TestTar()
            .file("keep", TestTar.utf8("keep\n"))
            .file("gone", TestTar.utf8("gone\n"))
            .file("opq/old", TestTar.utf8("old\n"))
            .file("dir/x", TestTar.utf8("x\n"))
            .write(tmp.resolve("lower.tar"));
    Path upperTar =
        new TestTar()
            .file(".wh.gone", new byte[0])
            .dir("opq", 0755, 0, 0)
            .file("opq/.wh..wh..opq", new byte[0])
            .file("opq/new", TestTar.utf8("new\n"))
            .file("dir/y", TestTar.utf8("y\n"))
            .write(tmp.resolve("upper.tar"));
    lower = mountLayer(lowerTar, "lower");
    upper = mountLayer(upperTar, "upper");
  }

  private Path mountLayer(Path tar, String name) throws IOException {
    UncompressedTarContent content = UncompressedTarContent.open(tar);
    cleanup.push(content);
    Path mp = Files.createDirectory(tmp.resolve(name));
    cleanup.push(LayerMount.mount(mp, LayerTree.build(TestTar.entries(tar)), content));
    return mp;
  }

  private void mountKernel(Path target, String... mountArgs) throws Exception {
    Files.createDirectories(target);
    String[] argv =
        Stream.concat(
                Stream.of("mount"),
                Stream.concat(Stream.of(mountArgs), Stream.of(target.toString())))
            .toArray(String[]::new);
    run(argv);
    cleanup.push(() -> run("umount", target.toString()));
  }

  @AfterEach
  void unmountAll() throws Exception {
    Exception first = null;
    while (!cleanup.isEmpty()) {
      try {
        cleanup.pop().close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    assertNoMountsUnder(tmp);
    if (first != null) {
      throw first;
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void whiteoutHidesAndOpaqueDirReplacesLowerContent() throws Exception {
    Path rw = tmp.resolve("rw");
    mountKernel(rw, "-t", "tmpfs", "tmpfs");
    Files.createDirectories(rw.resolve("upper"));
    Files.createDirectories(rw.resolve("work"));
    Path merged = tmp.resolve("merged");
    mountKernel(
        merged,
        "-t",
        "overlay",
        "overlay",
        "-o",
        "lowerdir="
            + upper
            + ":"
            + lower
            + ",upperdir="
            + rw.resolve("upper")
            + ",workdir="
            + rw.resolve("work"));

    assertThat(names(merged)).containsExactly("dir", "keep", "opq");
    assertThat(Files.exists(merged.resolve("gone"))).isFalse();
    assertThat(names(merged.resolve("opq"))).containsExactly("new");
    assertThat(names(merged.resolve("dir"))).containsExactly("x", "y");
    assertThat(Files.readString(merged.resolve("keep"))).isEqualTo("keep\n");
    assertThat(Files.readString(merged.resolve("opq/new"))).isEqualTo("new\n");

    Files.writeString(merged.resolve("dir/x"), "changed\n");
    assertThat(Files.readString(rw.resolve("upper/dir/x"))).isEqualTo("changed\n");
    assertThat(Files.readString(lower.resolve("dir/x"))).isEqualTo("x\n");
  }

  @Test
  void readOnlyOverlayOfLayersOnly() throws Exception {
    Path merged = tmp.resolve("ro");
    mountKernel(merged, "-t", "overlay", "overlay", "-o", "lowerdir=" + upper + ":" + lower);
    assertThat(names(merged)).containsExactly("dir", "keep", "opq");
    assertThat(names(merged.resolve("opq"))).containsExactly("new");
  }
}
