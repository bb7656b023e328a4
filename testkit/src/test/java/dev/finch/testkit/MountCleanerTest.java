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
}
