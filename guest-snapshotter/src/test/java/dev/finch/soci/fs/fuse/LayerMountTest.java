package dev.finch.soci.fs.fuse;

import static dev.finch.soci.fs.fuse.FuseTestSupport.assertNoMountsUnder;
import static dev.finch.soci.fs.fuse.FuseTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.nio.file.ExtendedOpenOption;
import dev.finch.soci.fs.FileContent;
import dev.finch.soci.fs.LayerEntry;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.fs.SampleLayer;
import dev.finch.soci.fs.TestTar;
import dev.finch.soci.fs.UncompressedTarContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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
  static final AtomicInteger inFlight = new AtomicInteger();
  static final AtomicInteger maxInFlight = new AtomicInteger();

  @BeforeAll
  static void mountSample() throws IOException {
    FuseTestSupport.requireRootAndFuse();
    Path tar = SampleLayer.write(tmp.resolve("layer.tar"));
    List<LayerEntry> entries = TestTar.entries(tar);
    tree = LayerTree.build(entries);
    content = UncompressedTarContent.open(tar);
    mnt = Files.createDirectory(tmp.resolve("mnt"));
    FileContent counting =
        (f, off, dst) -> {
          int now = inFlight.incrementAndGet();
          maxInFlight.accumulateAndGet(now, Math::max);
          try {
            Thread.sleep(1);
            return content.read(f, off, dst);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          } finally {
            inFlight.decrementAndGet();
          }
        };
    mount = LayerMount.mount(mnt, tree, counting, MountOptions.defaults().withStatfsPath(tmp));
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
    assertThat(FuseTestSupport.mountsUnder(mnt))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains(" - fuse.rawBridge soci ")
                    .contains(" ro,")
                    .contains("allow_other")
                    .doesNotContain("nosuid"));
  }

  @Test
  void rootListing() throws IOException {
    try (Stream<Path> s = Files.list(mnt)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactly("a", "dev", "long", "opq", "x");
    }
    assertThat(unix("")).containsEntry("ino", 1L);
  }

  @Test
  void regularFileAttributesAndBytes() throws IOException {
    Map<String, Object> a = unix("a/empty");
    assertThat(a)
        .containsEntry("mode", 0100644)
        .containsEntry("uid", 1234)
        .containsEntry("gid", 5678)
        .containsEntry("size", 0L)
        .containsEntry("nlink", 1)
        .containsEntry("lastModifiedTime", FileTime.from(TestTar.MTIME));
    assertThat(Files.readAllBytes(mnt.resolve("a/one"))).isEqualTo(SampleLayer.ONE);
    assertThat(Files.readAllBytes(mnt.resolve("a/page"))).isEqualTo(SampleLayer.PAGE);
    assertThat(Files.readAllBytes(mnt.resolve("a/big"))).isEqualTo(SampleLayer.BIG);
    assertThat(Files.readAllBytes(mnt.resolve("a/empty"))).isEmpty();
  }

  @Test
  void statMatchesCoreutils() throws Exception {
    assertThat(run("stat", "-c", "%A %u %g %s %h %i %Y.%y", mnt.resolve("a/one").toString()).trim())
        .startsWith(
            "-rw-r----- 0 0 1 2 " + tree.resolve("a/one").orElseThrow().inode() + " 1612325106.");
  }

  @Test
  void everyNodeHasItsTreeInode() throws IOException {
    for (String path :
        List.of(
            "a",
            "a/b",
            "a/b/c",
            "a/empty",
            "a/link",
            "a/hard",
            "dev/null",
            "dev/fifo",
            "a/gone",
            "opq/kept",
            SampleLayer.LONG_NAME,
            "x/y/implicit.txt")) {
      assertThat(unix(path).get("ino"))
          .as(path)
          .isEqualTo(tree.resolve(path).orElseThrow().inode());
    }
  }

  @Test
  void specialModeBits() throws IOException {
    assertThat(unix("a/setuid")).containsEntry("mode", 0104755);
    assertThat(unix("a/sticky-setgid")).containsEntry("mode", 0103775);
    assertThat(unix("a"))
        .containsEntry("mode", 040750)
        .containsEntry("uid", 1000)
        .containsEntry("gid", 1001);
    assertThat(unix("a/b/c")).containsEntry("mode", 040700);
  }

  @Test
  void directoriesCountSubdirsAndImplicitOnesAre0755() throws IOException {
    assertThat(unix("a")).containsEntry("nlink", 3);
    assertThat(unix("a/b"))
        .containsEntry("mode", 040755)
        .containsEntry("nlink", 3)
        .containsEntry("uid", 0)
        .containsEntry("lastModifiedTime", FileTime.fromMillis(0));
    assertThat(unix("x")).containsEntry("nlink", 3);
    assertThat(unix("x/y")).containsEntry("nlink", 2);
  }

  @Test
  void symlink() throws IOException {
    assertThat(Files.readSymbolicLink(mnt.resolve("a/link"))).isEqualTo(Path.of("one"));
    assertThat(unix("a/link")).containsEntry("mode", 0120777).containsEntry("size", 3L);
    assertThat(Files.readAllBytes(mnt.resolve("a/link"))).isEqualTo(SampleLayer.ONE);
  }

  @Test
  void hardLinkSharesInodeAndNlink() throws IOException {
    assertThat(unix("a/hard").get("ino")).isEqualTo(unix("a/one").get("ino"));
    assertThat(unix("a/hard")).containsEntry("nlink", 2);
    assertThat(unix("a/one")).containsEntry("nlink", 2);
    assertThat(Files.readAllBytes(mnt.resolve("a/hard"))).isEqualTo(SampleLayer.ONE);
  }

  @Test
  void devicesAndFifo() throws IOException {
    assertThat(unix("dev/null")).containsEntry("mode", 020666).containsEntry("rdev", (1L << 8) | 3);
    assertThat(unix("dev/sda")).containsEntry("mode", 060660).containsEntry("rdev", 8L << 8);
    assertThat(unix("dev/fifo")).containsEntry("mode", 010644).containsEntry("rdev", 0L);
    assertThat(
            Files.readAttributes(mnt.resolve("dev/fifo"), BasicFileAttributes.class, NOFOLLOW)
                .isOther())
        .isTrue();
  }

  @Test
  void whiteoutIsCharDevice00AndMarkersAreHidden() throws IOException {
    try (Stream<Path> s = Files.list(mnt.resolve("a"))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactly(
              "b",
              "big",
              "empty",
              "gone",
              "hard",
              "link",
              "one",
              "page",
              "setuid",
              "sticky-setgid",
              "xattr");
    }
    assertThat(unix("a/gone"))
        .containsEntry("mode", 020000)
        .containsEntry("rdev", 0L)
        .containsEntry("uid", 0)
        .containsEntry("gid", 0)
        .containsEntry("nlink", 1)
        .containsEntry("size", 0L);
    assertThat(Files.exists(mnt.resolve("a/.wh.gone"), NOFOLLOW)).isFalse();
    try (Stream<Path> s = Files.list(mnt.resolve("opq"))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("kept");
    }
  }

  @Test
  void readdirIncludesDotAndDotDot() throws Exception {
    String out = run("ls", "-1ai", mnt.resolve("a/b").toString());
    long b = tree.resolve("a/b").orElseThrow().inode();
    long a = tree.resolve("a").orElseThrow().inode();
    long c = tree.resolve("a/b/c").orElseThrow().inode();
    assertThat(out.lines().map(String::trim)).containsExactly(b + " .", a + " ..", c + " c");
    assertThat(run("ls", "-1ai", mnt.toString()).lines().map(String::trim)).startsWith("1 .");
  }

  @Test
  void longPaxNameIsReadable() throws IOException {
    assertThat(SampleLayer.LONG_NAME.length()).isGreaterThan(100);
    assertThat(Files.readString(mnt.resolve(SampleLayer.LONG_NAME))).isEqualTo("long\n");
    assertThat(Files.readString(mnt.resolve("x/y/implicit.txt"))).isEqualTo("implicit\n");
  }

  @Test
  void xattrs() throws Exception {
    UserDefinedFileAttributeView view =
        Files.getFileAttributeView(mnt.resolve("a/xattr"), UserDefinedFileAttributeView.class);
    assertThat(view.list()).containsExactly("foo");
    ByteBuffer buf = ByteBuffer.allocate(view.size("foo"));
    view.read("foo", buf);
    assertThat(new String(buf.array(), StandardCharsets.UTF_8)).isEqualTo("bar");
    assertThat(
            run("getfattr", "-d", "-m", "-", "--absolute-names", mnt.resolve("a/xattr").toString()))
        .contains("trusted.t=\"tv\"")
        .contains("user.foo=\"bar\"")
        .doesNotContain("comment");
    assertThat(
            run(
                "getfattr",
                "-n",
                "trusted.overlay.opaque",
                "--only-values",
                "--absolute-names",
                mnt.resolve("opq").toString()))
        .isEqualTo("y");
    assertThat(run("getfattr", "-d", "-m", "-", "--absolute-names", mnt.resolve("a").toString()))
        .isEmpty();
    Process p =
        new ProcessBuilder("getfattr", "-n", "user.nope", mnt.resolve("a/xattr").toString())
            .redirectErrorStream(true)
            .start();
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("No such attribute");
    assertThat(p.waitFor()).isEqualTo(1);
  }

  @Test
  void statfsReportsTheGivenDirectorysFilesystem() throws Exception {
    String fmt = "%b %S %c %l";
    assertThat(run("stat", "-f", "-c", fmt, mnt.toString()))
        .isEqualTo(run("stat", "-f", "-c", fmt, tmp.toString()));
  }

  @Test
  void isReadOnlyAndMissingNamesAreAbsent() {
    assertThat(Files.exists(mnt.resolve("nope"))).isFalse();
    assertThat(Files.exists(mnt.resolve("a/nope/deeper"))).isFalse();
    assertThatThrownBy(() -> Files.writeString(mnt.resolve("a/one"), "w"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Read-only file system");
    assertThatThrownBy(() -> Files.createFile(mnt.resolve("new"))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Files.delete(mnt.resolve("a/one"))).isInstanceOf(IOException.class);
  }

  /**
   * Half of the readers use O_DIRECT with block-aligned ranges, which bypasses the page cache so
   * every one of their reads reaches {@link FileContent}; the other half read arbitrary ranges
   * through it.
   */
  @Test
  void thirtyTwoConcurrentReadersOfRandomRanges() throws Exception {
    Path big = mnt.resolve("a/big");
    byte[] want = SampleLayer.BIG;
    int block = 4096;
    try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 32; t++) {
        long seed = t;
        boolean direct = t % 2 == 0;
        results.add(
            pool.submit(
                () -> {
                  Random r = new Random(seed);
                  int checked = 0;
                  OpenOption[] opts =
                      direct
                          ? new OpenOption[] {StandardOpenOption.READ, ExtendedOpenOption.DIRECT}
                          : new OpenOption[] {StandardOpenOption.READ};
                  try (FileChannel ch = FileChannel.open(big, opts)) {
                    for (int i = 0; i < 50; i++) {
                      int off = r.nextInt(want.length);
                      int len = 1 + r.nextInt(300_000);
                      if (direct) {
                        off = off / block * block;
                        len = (len + block - 1) / block * block;
                      }
                      int expect = Math.min(len, want.length - off);
                      ByteBuffer bb =
                          direct
                              ? ByteBuffer.allocateDirect(len + block)
                                  .alignedSlice(block)
                                  .limit(len)
                              : ByteBuffer.allocate(len);
                      while (bb.position() < expect && ch.read(bb, off + bb.position()) > 0) {
                        // keep reading until the range is complete
                      }
                      assertThat(bb.position()).isEqualTo(expect);
                      byte[] got = new byte[expect];
                      bb.flip().get(got);
                      assertThat(Arrays.equals(got, 0, expect, want, off, off + expect))
                          .as("range %d+%d", off, len)
                          .isTrue();
                      checked++;
                    }
                  }
                  return checked;
                }));
      }
      for (Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(50);
      }
    }
    assertThat(maxInFlight.get()).as("FileContent reads in flight at once").isGreaterThan(1);
  }
}
