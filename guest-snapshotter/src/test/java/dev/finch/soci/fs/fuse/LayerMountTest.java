package dev.finch.soci.fs.fuse;

import static dev.finch.soci.fs.fuse.FuseTestSupport.assertNoMountsUnder;
import static dev.finch.soci.fs.fuse.FuseTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.fs.LayerEntry;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.fs.SampleLayer;
import dev.finch.soci.fs.TestTar;
import dev.finch.soci.fs.UncompressedTarContent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mounts the sample layer and checks what the kernel shows through plain NIO and coreutils. */
class LayerMountTest {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  @TempDir static Path tmp;
  static Path mnt;
  static LayerTree tree;
  static UncompressedTarContent content;
  static LayerMount mount;

  @BeforeAll
  static void mountSample() throws IOException {
    FuseTestSupport.requireRootAndFuse();
    Path tar = SampleLayer.write(tmp.resolve("layer.tar"));
    List<LayerEntry> entries = TestTar.entries(tar);
    tree = LayerTree.build(entries);
    content = UncompressedTarContent.open(tar);
    mnt = Files.createDirectory(tmp.resolve("mnt"));
    mount = LayerMount.mount(mnt, tree, content, MountOptions.defaults().withStatfsPath(tmp));
  }

  @AfterAll
  static void unmount() throws IOException {
    try {
      if (mount != null) {
        mount.close();
      }
    } finally {
      if (content != null) {
        content.close();
      }
      if (mnt != null) {
        assertNoMountsUnder(mnt);
      }
    }
  }

  private static Map<String, Object> unix(String path) throws IOException {
    return Files.readAttributes(mnt.resolve(path), "unix:*", NOFOLLOW);
  }

  @Test
  void mountTableShowsSociFuse() throws IOException {
    assertThat(FuseTestSupport.mountsUnder(mnt)).singleElement().satisfies(line ->
        assertThat(line).contains(" - fuse.rawBridge soci ").contains(" ro,").contains("allow_other"));
  }

  @Test
  void rootListing() throws IOException {
    try (Stream<Path> s = Files.list(mnt)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("a", "dev", "long", "opq", "x");
    }
    assertThat(unix("")).containsEntry("ino", 1L);
  }

  @Test
  void regularFileAttributesAndBytes() throws IOException {
    Map<String, Object> a = unix("a/empty");
    assertThat(a).containsEntry("mode", 0100644).containsEntry("uid", 1234).containsEntry("gid", 5678)
        .containsEntry("size", 0L).containsEntry("nlink", 1)
        .containsEntry("lastModifiedTime", FileTime.from(TestTar.MTIME));
    assertThat(Files.readAllBytes(mnt.resolve("a/one"))).isEqualTo(SampleLayer.ONE);
    assertThat(Files.readAllBytes(mnt.resolve("a/page"))).isEqualTo(SampleLayer.PAGE);
    assertThat(Files.readAllBytes(mnt.resolve("a/big"))).isEqualTo(SampleLayer.BIG);
    assertThat(Files.readAllBytes(mnt.resolve("a/empty"))).isEmpty();
  }

  @Test
  void statMatchesCoreutils() throws Exception {
    assertThat(run("stat", "-c", "%A %u %g %s %h %i %Y.%y", mnt.resolve("a/one").toString()).trim())
        .startsWith("-rw-r----- 0 0 1 2 " + tree.resolve("a/one").orElseThrow().inode() + " 1612325106.");
  }
}
