package dev.finch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountCleanerTest {
  @Test
  void nothingIsMountedUnderAFreshDirectory(@TempDir Path dir) {
    assertThat(MountCleaner.mountsUnder(dir)).isEmpty();
  }

  @Test
  void rootFilesystemIsListed() {
    assertThat(MountCleaner.mountsUnder(Path.of("/"))).contains(Path.of("/"));
  }

  @Test
  void deleteTreeRemovesFilesDirsAndDanglingLinks(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("a/b"));
    Files.writeString(dir.resolve("f"), "x");
    Files.createSymbolicLink(dir.resolve("link"), Path.of("/nonexistent"));
    Path outside = Files.writeString(tmp.resolve("keep"), "keep");
    Files.createSymbolicLink(dir.resolve("to-outside"), outside);
    MountCleaner.deleteTree(tmp.resolve("a"));
    assertThat(tmp.resolve("a")).doesNotExist();
    assertThat(outside).hasContent("keep");
  }

  /** What is mounted inside goes first: the walk must not delete a bind mount's source files. */
  @Test
  void deleteTreeUnmountsBeforeItWalks(@TempDir Path tmp) throws Exception {
    ContainerdFixture.assumeRoot(); // mount
    Path source = Files.createDirectories(tmp.resolve("source"));
    Files.writeString(source.resolve("kept"), "kept");
    Path mp = Files.createDirectories(tmp.resolve("a/mnt"));
    var r =
        ContainerdProcess.run(
            java.util.List.of("mount", "--bind", source.toString(), mp.toString()),
            java.time.Duration.ofSeconds(10));
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(MountCleaner.mountsUnder(tmp.resolve("a"))).containsExactly(mp);
    MountCleaner.deleteTree(tmp.resolve("a"));
    assertThat(MountCleaner.mountsUnder(tmp)).isEmpty();
    assertThat(tmp.resolve("a")).doesNotExist();
    assertThat(source.resolve("kept")).hasContent("kept");
  }
}
