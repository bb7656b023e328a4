package dev.finch.soci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.ManifestBytes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code soci} CLI against a real containerd and a real distribution registry 2.8 (which has no
 * referrers API): create, push and discovery through the fallback tag, get-file of every file,
 * convert (v2) pushed and read back, and the min-layer-size error.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SociCliIT {
  static RegistryFixture registry;
  static ContainerdFixture containerd;
  static TarLayer dataLayer;
  static String ref;
  static Path root;
  @TempDir static Path work;


  static Run soci(String... args) {
    return SociRuns.soci(containerd.socket(), root, args);
  }

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    registry = RegistryFixture.builder().build().start();
    containerd = ContainerdFixture.builder().build().start();
    root = work.resolve("soci-root");
    dataLayer =
        TarLayer.builder()
            .dir("data")
            .randomFile("data/random.bin", 3L << 20, 11)
            .file("data/hello.txt", "hello from a lazily loaded layer\n")
            .file("data/numbers.txt", numbers(400_000))
            .symlink("data/link", "hello.txt")
            .hardlink("data/hard", "data/hello.txt")
            .randomFile("data/more/blob.bin", 1_500_000, 12)
            .build();
    OciImage image = TestImages.busybox(work.resolve("layout"), "soci-it", "v1", dataLayer);
    TestImages.push(image, registry.hostPort(), "soci-it", "v1");
    ref = registry.hostPort() + "/soci-it:v1";
    containerd.ctr("images", "pull", "--plain-http", ref).check();
  }

  @AfterAll
  static void stop() {
    if (containerd != null) {
      containerd.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  static String numbers(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i).append('\n');
    }
    return sb.toString();
  }

  static RegistryClient client() {
    return RegistryClient.builder(registry.hostPort()).plainHttp(true).build();
  }

  @Test
  @Order(1)
  void allLayersUnderTheMinimumIsAnErrorNamingTheFlag() {
    Run r = soci("create", ref);
    assertThat(r.rc()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).startsWith("soci: no ztocs created").contains("--min-layer-size 10485760");
    assertThat(r.out()).contains("ztoc skipped - layer sha256:").contains("is less than min-layer-size 10485760");
  }

  @Test
  @Order(2)
  void createThenPushIsFoundThroughTheReferrersFallbackTag() throws Exception {
    Run c = soci("create", "--span-size", "65536", "--min-layer-size", "2000000", ref);
    assertThat(c.rc()).as(c.err()).isZero();
    assertThat(c.out()).containsPattern("layer sha256:[0-9a-f]{64} -> ztoc sha256:[0-9a-f]{64}");
    assertThat(c.out()).contains("ztoc skipped - layer");
    Run list = soci("index", "list", "-q");
    assertThat(list.out().strip().lines()).hasSize(1);
    Digest index = Digest.parse(list.out().strip());

    Run push = soci("push", "--plain-http", ref);
    assertThat(push.rc()).as(push.err()).isZero();
    assertThat(push.out()).contains("pushing soci index with digest: " + index)
        .contains("successfully pushed artifact with digest: " + index);

    RegistryClient rc = client();
    Descriptor manifest = rc.resolve(ImageRef.parse(ref));
    List<Descriptor> found = rc.referrers("soci-it", manifest.digest(), MediaTypes.SOCI_INDEX_V1);
    assertThat(found).extracting(Descriptor::digest).containsExactly(index);
    assertThat(rc.listTags("soci-it")).contains(manifest.digest().tagForm());

    Run again = soci("push", "--plain-http", ref);
    assertThat(again.rc()).isZero();
    assertThat(again.err()).contains("[WARN] soci index found in remote repository with digest: " + index);
    assertThat(rc.referrers("soci-it", manifest.digest(), MediaTypes.SOCI_INDEX_V1)).hasSize(1);
    Run skip = soci("push", "--plain-http", "--existing-index", "skip", ref);
    assertThat(skip.out()).contains("skipping pushing artifacts for image manifest: " + manifest.digest());
  }

  @Test
  @Order(3)
  void getFileReturnsEveryRegularFileOfTheLayer() throws Exception {
    Map<String, byte[]> expected = new HashMap<>();
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    dataLayer.writeTar(tar);
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar.toByteArray()))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.isLink()) {
          expected.put(e.getName(), expected.get(e.getLinkName()));
        } else if (e.getLinkFlag() == org.apache.commons.compress.archivers.tar.TarConstants.LF_NORMAL
            || e.getLinkFlag() == org.apache.commons.compress.archivers.tar.TarConstants.LF_OLDNORM) {
          expected.put(e.getName(), in.readAllBytes());
        }
      }
    }
    Run list = soci("ztoc", "list", "-q");
    assertThat(list.out().strip().lines()).hasSize(1);
    String ztoc = list.out().strip();
    Run info = soci("ztoc", "info", ztoc);
    assertThat(info.rc()).as(info.err()).isZero();
    var tree = Json.MAPPER.readTree(info.out());
    assertThat(tree.get("span_size").asLong()).isEqualTo(65536);
    int checked = 0;
    for (var f : tree.get("files")) {
      if (!List.of("reg", "hardlink").contains(f.get("type").asText())) {
        continue;
      }
      String name = f.get("filename").asText();
      Path out = work.resolve("got-" + checked);
      Run g = soci("ztoc", "get-file", ztoc, name, "-o", out.toString());
      assertThat(g.rc()).as(name + ": " + g.err()).isZero();
      assertThat(Files.readAllBytes(out)).as(name).isEqualTo(expected.get(name));
      checked++;
    }
    assertThat(checked).isEqualTo(expected.size()).isGreaterThanOrEqualTo(5);
    Run missing = soci("ztoc", "get-file", ztoc, "data/nope");
    assertThat(missing.rc()).isEqualTo(1);
    assertThat(missing.err()).startsWith("soci: file data/nope does not exist");
  }

  @Test
  @Order(4)
  void convertedV2ImageCarriesTheIndexDigestAfterPush() throws Exception {
    String dst = registry.hostPort() + "/soci-it:v1-soci";
    Run conv = soci("convert", "--span-size", "65536", "--min-layer-size", "2000000", ref, dst);
    assertThat(conv.rc()).as(conv.err()).isZero();
    Digest newIndex = Digest.parse(conv.out().strip().lines().reduce((a, b) -> b).orElseThrow());
    containerd.ctr("images", "push", "--plain-http", dst, dst).check();

    RegistryClient rc = client();
    ManifestBytes top = rc.fetchManifest(ImageRef.parse(dst));
    assertThat(top.descriptor().digest()).isEqualTo(newIndex);
    ImageIndex idx = Json.read(top.bytes(), ImageIndex.class);
    Descriptor img = idx.manifests().get(0);
    Descriptor sociEntry =
        idx.manifests().stream().filter(d -> MediaTypes.SOCI_INDEX_V2.equals(d.artifactType())).findFirst().orElseThrow();
    assertThat(sociEntry.annotation(MediaTypes.ANN_IMAGE_MANIFEST_DIGEST)).isEqualTo(img.digest().toString());
    Manifest m = rc.fetchManifest("soci-it", img.digest()).manifest();
    assertThat(m.annotation(MediaTypes.ANN_INDEX_DIGEST)).isEqualTo(sociEntry.digest().toString());
    Manifest soci = rc.fetchManifest("soci-it", sociEntry.digest()).manifest();
    assertThat(soci.config().mediaType()).isEqualTo(MediaTypes.SOCI_INDEX_V2);
    assertThat(soci.subject()).isNull();
    for (Descriptor z : soci.layers()) {
      assertThat(rc.blobExists("soci-it", z.digest())).as(z.digest().toString()).isTrue();
    }
  }

  @Test
  @Order(5)
  void standaloneConvertWritesAnOciLayoutWithTheSameStructure() throws Exception {
    Path out = work.resolve("converted");
    Run r = soci("convert", "--standalone", "--format", "oci-dir", "--min-layer-size", "2000000",
        work.resolve("layout").toString(), out.toString());
    assertThat(r.rc()).as(r.err()).isZero();
    ImageIndex top = Json.read(Files.readAllBytes(out.resolve("index.json")), ImageIndex.class);
    Descriptor converted = top.manifests().get(0);
    ImageIndex idx = Json.read(Files.readAllBytes(blob(out, converted.digest())), ImageIndex.class);
    Descriptor sociEntry =
        idx.manifests().stream().filter(d -> MediaTypes.SOCI_INDEX_V2.equals(d.artifactType())).findFirst().orElseThrow();
    Manifest img = Json.read(Files.readAllBytes(blob(out, idx.manifests().get(0).digest())), Manifest.class);
    assertThat(img.annotation(MediaTypes.ANN_INDEX_DIGEST)).isEqualTo(sociEntry.digest().toString());
    assertThat(Files.exists(blob(out, sociEntry.digest()))).isTrue();
  }

  static Path blob(Path layout, Digest d) {
    return layout.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
  }
}
