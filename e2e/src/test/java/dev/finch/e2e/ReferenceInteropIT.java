package dev.finch.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.image.OciArchive;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference soci 0.4.1 reads what our soci builds: our index and zTOCs, copied into its content
 * store and registered with its {@code rebuild-db}, are listed, printed and used for get-file by
 * it. (The other direction, ours reading its artifacts, is ReferenceFixturesTest in
 * guest-snapshotter.) The reference always uses /var/lib/soci-snapshotter-grpc; this test saves and
 * restores it.
 */
class ReferenceInteropIT {
  static final String IMAGE = "example.test/interop:t";

  @TempDir static Path work;
  static ContainerdFixture containerd;
  static Path ref;
  static ReferenceSoci.SavedState saved;

  static ContainerdProcess.Result sh(String... argv) {
    return ContainerdProcess.run(List.of(argv), Duration.ofMinutes(5));
  }

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    Path root = Launchers.repoRoot();
    ref = ReferenceSoci.binDir().resolve("soci");
    saved = ReferenceSoci.saveState(work);
    containerd = ContainerdFixture.builder().build().start();
    Path fixtures = root.resolve("guest-snapshotter/src/test/resources/reference041");
    Path layout = work.resolve("layout");
    Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
    for (String f :
        List.of("layer0.tar.gz", "layer1.tar.gz", "image-config.json", "image-manifest.json")) {
      byte[] b = Files.readAllBytes(fixtures.resolve(f));
      Files.write(blobs.resolve(sha256Hex(b)), b);
    }
    byte[] manifest = Files.readAllBytes(fixtures.resolve("image-manifest.json"));
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(
        layout.resolve("index.json"),
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"digest\":\"sha256:"
            + sha256Hex(manifest)
            + "\",\"size\":"
            + manifest.length
            + ",\"annotations\":{\"io.containerd.image.name\":\""
            + IMAGE
            + "\",\"org.opencontainers.image.ref.name\":\"t\"}}]}");
    Path archive = work.resolve("layout.tar");
    OciArchive.pack(layout, archive);
    containerd.importArchive(archive);
  }

  @AfterAll
  static void stop() {
    if (containerd != null) {
      containerd.close();
    }
    if (saved != null) {
      saved.restore();
    }
  }

  static String sha256Hex(byte[] b) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
  }

  ContainerdProcess.Result ours(String... args) {
    String[] all = new String[args.length + 6];
    System.arraycopy(
        new String[] {
          "--address",
          containerd.socket().toString(),
          "--root",
          work.resolve("our-root").toString(),
          "--content-store",
          "soci"
        },
        0,
        all,
        0,
        6);
    System.arraycopy(args, 0, all, 6, args.length);
    return Launchers.run(Launchers.soci(), all);
  }

  ContainerdProcess.Result theirs(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "-a";
    all[1] = containerd.socket().toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return Launchers.run(ref, all);
  }

  @Test
  void referenceReadsOurIndexAndZtocs() throws Exception {
    assertThat(ours("create", "--span-size", "1048576", "--min-layer-size", "0", IMAGE).exitCode())
        .isZero();
    String index = ours("index", "list", "-q").stdout().strip();
    List<String> ztocs = ours("ztoc", "list", "-q").stdout().strip().lines().toList();
    assertThat(ztocs).hasSize(2);

    Path store = Files.createDirectories(ReferenceSoci.STATE.resolve("content/blobs/sha256"));
    try (Stream<Path> ourBlobs = Files.list(work.resolve("our-root/content/blobs/sha256"))) {
      for (Path p : ourBlobs.toList()) {
        Files.copy(
            p, store.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    ContainerdProcess.Result rebuild = theirs("rebuild-db");
    assertThat(rebuild.exitCode()).as(rebuild.toString()).isZero();

    ContainerdProcess.Result list = theirs("index", "list", "-q");
    assertThat(list.stdout()).contains(index);
    ContainerdProcess.Result info = theirs("index", "info", index);
    assertThat(info.exitCode()).as(info.toString()).isZero();
    byte[] ourBytes =
        Files.readAllBytes(work.resolve("our-root/content/blobs/sha256/" + index.substring(7)));
    assertThat(info.stdout()).isEqualTo(new String(ourBytes, StandardCharsets.UTF_8));

    for (String z : ztocs) {
      ContainerdProcess.Result zi = theirs("ztoc", "info", z);
      assertThat(zi.exitCode()).as(zi.toString()).isZero();
      assertThat(zi.stdout())
          .contains("\"build_tool\": \"AWS SOCI CLI v0.2\"")
          .contains("\"span_size\": 1048576");
    }
    String big = bigZtoc(ztocs);
    ContainerdProcess.Result file = theirs("ztoc", "get-file", big, "data/log.txt");
    assertThat(file.exitCode()).as(file.toString()).isZero();
    ContainerdProcess.Result mine = ours("ztoc", "get-file", big, "data/log.txt");
    assertThat(mine.stdout()).hasSize(6000041);
    assertThat(file.stdout())
        .as("0.4.1 adds a newline after the file")
        .isEqualTo(mine.stdout() + "\n");
  }

  String bigZtoc(List<String> ztocs) {
    String a = ztocs.get(0);
    String b = ztocs.get(1);
    String infoA = ours("ztoc", "info", a).stdout();
    return infoA.contains("data/log.txt") ? a : b;
  }
}
