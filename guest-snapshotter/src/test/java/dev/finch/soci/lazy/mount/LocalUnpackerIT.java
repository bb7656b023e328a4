package dev.finch.soci.lazy.mount;

import static dev.finch.soci.fs.TestTar.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.finch.process.CommandResult;
import dev.finch.process.CommandSpec;
import dev.finch.process.ProcessCommandRunner;
import dev.finch.soci.fs.TestTar;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.DigestMismatchException;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.testkit.RegistryFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local-snapshot unpacker against a real registry: GNU tar extraction with owners, modes and
 * times, overlay whiteout conversion, the diff_id and blob digest checks, and {@code ..} members.
 * Needs root (mknod, {@code trusted.*} xattrs, overlay mounts); skipped without it on a laptop, but
 * with {@code CI=true} a missing root fails the test instead of hiding it.
 */
class LocalUnpackerIT {
  private static final int S_IFMT = 0170000;
  private static final int S_IFCHR = 0020000;
  private static final String REPO = "local-unpack";

  private static Path registryDir;
  private static RegistryFixture registry;
  private static RegistryClient client;

  private final ProcessCommandRunner runner = new ProcessCommandRunner();
  @TempDir Path tmp;
  private Path fsDir;

  @BeforeAll
  static void startRegistry() throws IOException {
    registryDir = Files.createTempDirectory("local-unpacker-registry-");
    registry = RegistryFixture.builder().dir(registryDir).start();
    client = RegistryClient.builder(registry.hostPort()).plainHttp(true).build();
  }

  @AfterAll
  static void stopRegistry() throws IOException {
    if (registry != null) {
      registry.close();
    }
    deleteTree(registryDir);
  }

  @BeforeEach
  void requireRoot() throws IOException {
    boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    if ("true".equals(System.getenv("CI"))) {
      assertTrue(root, "CI=true: local unpack tests must run as root");
    } else {
      assumeTrue(root, "local unpack tests need root");
    }
    fsDir = Files.createDirectories(tmp.resolve("fs"));
  }

  /**
   * Whiteouts at the top, inside an opaque dir, nested two deep, with a space and a non-ASCII name.
   */
  private static TestTar whiteoutLayer() {
    return whiteoutLayer("");
  }

  /** The same layer with {@code salt} in one file, for a blob no other test shares. */
  private static TestTar whiteoutLayer(String salt) {
    return new TestTar()
        .file("hello.txt", 0640, 1000, 2000, utf8("hello\n"))
        .file(".wh.gone", 0644, 1234, 5678, new byte[0])
        .dir("d", 0755, 0, 0)
        .file("d/.wh..wh..opq", new byte[0])
        .file("d/new.txt", 0600, 1001, 1002, utf8("new"))
        .file("d/.wh.inside", new byte[0])
        .dir("sub", 0750, 0, 0)
        .dir("sub/deeper", 0700, 0, 0)
        .file("sub/deeper/.wh.old file", new byte[0])
        .file("sub/.wh.café", new byte[0])
        .file("sub/keep", utf8("kept" + salt));
  }

  @Test
  void convertsWhiteoutsAndKeepsOwnersModesAndTimes() throws Exception {
    byte[] tar = tarBytes(whiteoutLayer());
    new LocalUnpacker().unpack(client, REPO, pushGzip(tar), Digest.sha256(tar), fsDir);

    assertThat(relativePaths(fsDir))
        .as("no .wh. entries; none converted inside the opaque dir")
        .containsExactlyInAnyOrder(
            "hello.txt",
            "gone",
            "d",
            "d/new.txt",
            "sub",
            "sub/deeper",
            "sub/deeper/old file",
            "sub/café",
            "sub/keep");
    for (String wh : List.of("gone", "sub/deeper/old file", "sub/café")) {
      Path p = fsDir.resolve(wh);
      assertThat(attr(p, "unix:mode") & S_IFMT)
          .as(wh + " is a character device")
          .isEqualTo(S_IFCHR);
      assertThat((Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS))
          .as(wh + " rdev")
          .isZero();
    }
    assertThat(run("stat", "-c", "%F:%t:%T", fsDir.resolve("gone").toString()).out().strip())
        .isEqualTo("character special file:0:0");
    assertThat(attr(fsDir.resolve("gone"), "unix:uid"))
        .as("whiteout keeps its entry's owner")
        .isEqualTo(1234);
    assertThat(attr(fsDir.resolve("gone"), "unix:gid")).isEqualTo(5678);

    assertThat(opaque(fsDir.resolve("d"))).isEqualTo("y");
    assertThat(opaque(fsDir.resolve("sub"))).as("only the marked dir is opaque").isNull();
    assertThat(opaque(fsDir.resolve("sub/deeper"))).isNull();

    assertFile(fsDir.resolve("hello.txt"), "hello\n", 0640, 1000, 2000);
    assertFile(fsDir.resolve("d/new.txt"), "new", 0600, 1001, 1002);
    assertFile(fsDir.resolve("sub/keep"), "kept", 0644, 0, 0);
    assertThat(attr(fsDir.resolve("sub"), "unix:mode") & 07777).isEqualTo(0750);
    assertThat(attr(fsDir.resolve("sub/deeper"), "unix:mode") & 07777).isEqualTo(0700);
    for (String dir : List.of("d", "sub", "sub/deeper")) {
      assertThat(
              Files.getLastModifiedTime(fsDir.resolve(dir), LinkOption.NOFOLLOW_LINKS).toInstant())
          .as(dir + " keeps the layer's mtime after its whiteouts are converted")
          .isEqualTo(TestTar.MTIME);
    }
  }

  @Test
  void overlayHidesWhatTheWhiteoutsDelete() throws Exception {
    byte[] tar = tarBytes(whiteoutLayer());
    new LocalUnpacker().unpack(client, REPO, pushGzip(tar), Digest.sha256(tar), fsDir);
    Path base = Files.createDirectories(tmp.resolve("base"));
    Files.writeString(base.resolve("gone"), "old");
    Files.writeString(base.resolve("kept.txt"), "from base");
    Files.createDirectories(base.resolve("d"));
    Files.writeString(base.resolve("d/old"), "old");
    Files.createDirectories(base.resolve("sub/deeper"));
    Files.writeString(base.resolve("sub/deeper/old file"), "old");
    Files.writeString(base.resolve("sub/deeper/other"), "still here");
    Files.writeString(base.resolve("sub/café"), "old");
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    run(
        "mount",
        "-t",
        "overlay",
        "overlay",
        "-o",
        "lowerdir=" + fsDir + ":" + base,
        target.toString());
    try {
      assertThat(target.resolve("gone")).doesNotExist();
      assertThat(target.resolve("d/old")).doesNotExist();
      assertThat(target.resolve("sub/deeper/old file")).doesNotExist();
      assertThat(target.resolve("sub/café")).doesNotExist();
      assertThat(target.resolve("d/new.txt")).hasContent("new");
      assertThat(target.resolve("kept.txt")).hasContent("from base");
      assertThat(target.resolve("sub/deeper/other"))
          .as("sub is not opaque")
          .hasContent("still here");
      try (Stream<Path> s = Files.list(target.resolve("d"))) {
        assertThat(s.map(p -> p.getFileName().toString())).containsExactly("new.txt");
      }
    } finally {
      run("umount", target.toString());
    }
  }

  @Test
  void wrongDiffIdFailsAndLeavesTheDirectoryEmpty() throws Exception {
    byte[] tar = tarBytes(whiteoutLayer());
    Descriptor layer = pushGzip(tar);
    Digest wrong = Digest.sha256(utf8("another layer"));
    assertThatThrownBy(() -> new LocalUnpacker().unpack(client, REPO, layer, wrong, fsDir))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "layer "
                + layer.digest()
                + ": uncompressed digest "
                + Digest.sha256(tar)
                + " does not match diff_id "
                + wrong);
    assertThat(relativePaths(fsDir)).isEmpty();
  }

  @Test
  void memberWithDotDotIsRefused() throws Exception {
    byte[] tar =
        tarBytes(new TestTar().file("ok.txt", utf8("ok")).file("a/../../evil", utf8("evil")));
    Descriptor layer = pushGzip(tar);
    assertThatThrownBy(
            () -> new LocalUnpacker().unpack(client, REPO, layer, Digest.sha256(tar), fsDir))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("unpacking layer " + layer.digest() + ": tar: ")
        .hasMessageContaining("Member name contains '..'");
    assertThat(relativePaths(fsDir)).isEmpty();
    assertThat(tmp.resolve("evil")).doesNotExist();
  }

  @Test
  void corruptGzipBlobIsCaughtByItsDigestEvenThoughItStillUnpacks() throws Exception {
    byte[] tar = tarBytes(whiteoutLayer(" (corrupt gzip)"));
    Descriptor layer = pushGzip(tar);
    // Byte 9 of a gzip member is the OS field: changing it leaves the content and the diff_id
    // intact.
    corruptStoredBlob(layer.digest(), 9);
    assertThatThrownBy(
            () -> new LocalUnpacker().unpack(client, REPO, layer, Digest.sha256(tar), fsDir))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining(layer.digest().toString());
    assertThat(relativePaths(fsDir)).isEmpty();
  }

  @Test
  void corruptUncompressedBlobFailsAndLeavesTheDirectoryEmpty() throws Exception {
    byte[] tar =
        tarBytes(new TestTar().file("a.txt", utf8("aaaa")).file("b.txt", utf8("corrupt tar")));
    Digest digest = Digest.sha256(tar);
    client.pushBlob(REPO, digest, tar);
    Descriptor layer = Descriptor.of(MediaTypes.OCI_LAYER_TAR, digest, tar.length);
    corruptStoredBlob(digest, 512);
    assertThatThrownBy(() -> new LocalUnpacker().unpack(client, REPO, layer, digest, fsDir))
        .isInstanceOf(DigestMismatchException.class);
    assertThat(relativePaths(fsDir)).isEmpty();
  }

  private static byte[] tarBytes(TestTar tar) throws IOException {
    Path f = Files.createTempFile("layer-", ".tar");
    try {
      return Files.readAllBytes(tar.write(f));
    } finally {
      Files.delete(f);
    }
  }

  private static Descriptor pushGzip(byte[] tar) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(tar);
    }
    byte[] blob = out.toByteArray();
    Digest d = Digest.sha256(blob);
    client.pushBlob(REPO, d, blob);
    return Descriptor.of(MediaTypes.OCI_LAYER_GZIP, d, blob.length);
  }

  /** Flips one byte of the blob as the registry stores it, so it serves bytes that do not match. */
  private static void corruptStoredBlob(Digest d, long offset) throws IOException {
    Path data =
        registryDir
            .resolve("storage/docker/registry/v2/blobs/sha256")
            .resolve(d.hex().substring(0, 2))
            .resolve(d.hex())
            .resolve("data");
    try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x01);
    }
  }

  private static void assertFile(Path p, String content, int mode, int uid, int gid)
      throws IOException {
    assertThat(p).isRegularFile().hasContent(content);
    assertThat(attr(p, "unix:mode") & 07777).as(p + " mode").isEqualTo(mode);
    assertThat(attr(p, "unix:uid")).as(p + " uid").isEqualTo(uid);
    assertThat(attr(p, "unix:gid")).as(p + " gid").isEqualTo(gid);
    assertThat(Files.getLastModifiedTime(p).toInstant()).as(p + " mtime").isEqualTo(TestTar.MTIME);
  }

  private static int attr(Path p, String name) throws IOException {
    return (Integer) Files.getAttribute(p, name, LinkOption.NOFOLLOW_LINKS);
  }

  /** The {@code trusted.overlay.opaque} value, or null when the directory has none. */
  private String opaque(Path dir) throws IOException {
    CommandResult r =
        runner.run(
            CommandSpec.of(
                "getfattr", "-n", "trusted.overlay.opaque", "--only-values", dir.toString()));
    return r.exit() == 0 ? r.out() : null;
  }

  private CommandResult run(String... argv) throws IOException {
    CommandResult r = runner.run(CommandSpec.of(argv));
    assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.err()).isZero();
    return r;
  }

  private static List<String> relativePaths(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).toList();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
