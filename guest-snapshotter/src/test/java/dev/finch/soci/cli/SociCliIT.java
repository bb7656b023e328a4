package dev.finch.soci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.index.PrefetchArtifact;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.ManifestBytes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
 * convert (v2) pushed and read back, the min-layer-size error, and prefetch artifacts from {@code
 * --prefetch-file} pushed with the index.
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
    assertThat(r.out())
        .contains("ztoc skipped - layer sha256:")
        .contains("is less than min-layer-size 10485760");
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
    assertThat(push.out())
        .contains("pushing soci index with digest: " + index)
        .contains("successfully pushed artifact with digest: " + index);

    RegistryClient rc = client();
    Descriptor manifest = rc.resolve(ImageRef.parse(ref));
    List<Descriptor> found = rc.referrers("soci-it", manifest.digest(), MediaTypes.SOCI_INDEX_V1);
    assertThat(found).extracting(Descriptor::digest).containsExactly(index);
    assertThat(rc.listTags("soci-it")).contains(manifest.digest().tagForm());

    Run again = soci("push", "--plain-http", ref);
    assertThat(again.rc()).isZero();
    assertThat(again.err())
        .contains("[WARN] soci index found in remote repository with digest: " + index);
    assertThat(rc.referrers("soci-it", manifest.digest(), MediaTypes.SOCI_INDEX_V1)).hasSize(1);
    Run skip = soci("push", "--plain-http", "--existing-index", "skip", ref);
    assertThat(skip.out())
        .contains("skipping pushing artifacts for image manifest: " + manifest.digest());
  }

  @Test
  @Order(3)
  void getFileReturnsEveryRegularFileOfTheLayer() throws Exception {
    Map<String, byte[]> expected = new HashMap<>();
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    dataLayer.writeTar(tar);
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(tar.toByteArray()))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.isLink()) {
          expected.put(e.getName(), expected.get(e.getLinkName()));
        } else if (e.getLinkFlag()
                == org.apache.commons.compress.archivers.tar.TarConstants.LF_NORMAL
            || e.getLinkFlag()
                == org.apache.commons.compress.archivers.tar.TarConstants.LF_OLDNORM) {
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
        idx.manifests().stream()
            .filter(d -> MediaTypes.SOCI_INDEX_V2.equals(d.artifactType()))
            .findFirst()
            .orElseThrow();
    assertThat(sociEntry.annotation(MediaTypes.ANN_IMAGE_MANIFEST_DIGEST))
        .isEqualTo(img.digest().toString());
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
    Run r =
        soci(
            "convert",
            "--standalone",
            "--format",
            "oci-dir",
            "--min-layer-size",
            "2000000",
            work.resolve("layout").toString(),
            out.toString());
    assertThat(r.rc()).as(r.err()).isZero();
    ImageIndex top = Json.read(Files.readAllBytes(out.resolve("index.json")), ImageIndex.class);
    Descriptor converted = top.manifests().get(0);
    ImageIndex idx = Json.read(Files.readAllBytes(blob(out, converted.digest())), ImageIndex.class);
    Descriptor sociEntry =
        idx.manifests().stream()
            .filter(d -> MediaTypes.SOCI_INDEX_V2.equals(d.artifactType()))
            .findFirst()
            .orElseThrow();
    Manifest img =
        Json.read(Files.readAllBytes(blob(out, idx.manifests().get(0).digest())), Manifest.class);
    assertThat(img.annotation(MediaTypes.ANN_INDEX_DIGEST))
        .isEqualTo(sociEntry.digest().toString());
    assertThat(Files.exists(blob(out, sociEntry.digest()))).isTrue();
  }

  @Test
  @Order(6)
  void createWithPrefetchFilesAddsAPrefetchArtifactThatPushSends() throws Exception {
    Path list = work.resolve("prefetch.json");
    Files.writeString(list, "[\"data/hello.txt\", \"  \"]");
    Run c =
        soci(
            "create",
            "--span-size",
            "65536",
            "--min-layer-size",
            "2000000",
            "--prefetch-file",
            "/data/more/blob.bin",
            "--prefetch-files-json",
            list.toString(),
            ref);
    assertThat(c.rc()).as(c.err()).isZero();
    assertThat(c.out())
        .containsPattern(
            "Created prefetch artifact for layer sha256:[0-9a-f]{64}: sha256:[0-9a-f]{64}");

    SociIndex index = null;
    for (String d : soci("index", "list", "-q").out().strip().split("\n")) {
      Run info = soci("index", "info", d);
      assertThat(info.rc()).as(info.err()).isZero();
      SociIndex i =
          SociIndex.parse(
              containerd
                  .ctr("content", "get", d)
                  .check()
                  .stdout()
                  .getBytes(StandardCharsets.UTF_8));
      assertThat(i.digest()).isEqualTo(Digest.parse(d));
      if (!i.prefetches().isEmpty()) {
        assertThat(index).as("one index with prefetch").isNull();
        index = i;
        assertThat(info.out()).contains("\"mediaType\": \"" + PrefetchArtifact.MEDIA_TYPE + "\"");
      }
    }
    assertThat(index).isNotNull();
    List<Descriptor> layers = index.manifest().layers();
    assertThat(layers).hasSize(2);
    // prefetch artifacts first: the reference 0.4.1 takes a layer's last descriptor for its zTOC
    Descriptor prefetch = layers.get(0);
    Descriptor ztoc = layers.get(1);
    assertThat(ztoc.mediaType()).isEqualTo(MediaTypes.SOCI_ZTOC);
    assertThat(prefetch.mediaType()).isEqualTo(PrefetchArtifact.MEDIA_TYPE);
    String layer = ztoc.annotation(MediaTypes.ANN_IMAGE_LAYER_DIGEST);
    assertThat(prefetch.annotations())
        .containsExactly(Map.entry(MediaTypes.ANN_IMAGE_LAYER_DIGEST, layer));
    assertThat(c.out())
        .contains("Created prefetch artifact for layer " + layer + ": " + prefetch.digest());
    assertThat(containerd.ctr("content", "ls").check().stdout())
        .contains("containerd.io/gc.ref.content.ztoc.0=" + prefetch.digest());

    // the artifact lists the spans `ztoc info` gives for the two files, merged
    var files =
        Json.MAPPER.readTree(soci("ztoc", "info", ztoc.digest().toString()).out()).get("files");
    List<PrefetchArtifact.SpanRange> expected = new java.util.ArrayList<>();
    for (var f : files) {
      if (List.of("data/more/blob.bin", "data/hello.txt").contains(f.get("filename").asText())) {
        expected.add(
            new PrefetchArtifact.SpanRange(f.get("start_span").asInt(), f.get("end_span").asInt()));
      }
    }
    assertThat(expected).hasSize(2);
    assertThat(
            expected.getFirst().endSpan()
                - expected.getFirst().startSpan()
                + expected.getLast().endSpan()
                - expected.getLast().startSpan())
        .as("blob.bin covers several spans")
        .isGreaterThanOrEqualTo(10);

    Run push = soci("push", "--plain-http", ref);
    assertThat(push.rc()).as(push.err()).isZero();
    assertThat(push.out())
        .contains("successfully pushed artifact with digest: " + prefetch.digest())
        .contains("successfully pushed artifact with digest: " + index.digest());
    RegistryClient rc = client();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    rc.fetchBlob("soci-it", prefetch.digest(), got);
    PrefetchArtifact artifact = PrefetchArtifact.parse(got.toByteArray());
    assertThat(got.toByteArray()).isEqualTo(PrefetchArtifact.of(expected).toJson());
    assertThat(artifact.spanIds()).containsExactly(PrefetchArtifact.of(expected).spanIds());
    assertThat(
            SociIndex.parse(rc.fetchManifest("soci-it", index.digest()).bytes())
                .prefetchFor(Digest.parse(layer))
                .digest())
        .isEqualTo(prefetch.digest());
  }

  @Test
  @Order(7)
  void prefetchPathsOutsideIndexedLayersAndBadJsonAreOneLineErrors() throws Exception {
    Run missing =
        soci(
            "create",
            "--span-size",
            "65536",
            "--min-layer-size",
            "2000000",
            "--prefetch-file",
            "/data/nope",
            ref);
    assertThat(missing.rc()).isEqualTo(1);
    assertThat(missing.err().strip().lines()).hasSize(1);
    assertThat(missing.err())
        .startsWith(
            "soci: prefetch file /data/nope not found in any layer with a zTOC of image " + ref);
    // busybox's layer is below --min-layer-size, so it has no zTOC to take spans from
    Run small =
        soci(
            "create",
            "--span-size",
            "65536",
            "--min-layer-size",
            "2000000",
            "--prefetch-file",
            "/bin/busybox",
            ref);
    assertThat(small.rc()).isEqualTo(1);
    assertThat(small.err()).startsWith("soci: prefetch file /bin/busybox not found");

    Path bad = work.resolve("bad.json");
    Files.writeString(bad, "{\"files\": [\"/data/hello.txt\"]}");
    Run notArray =
        soci("create", "--min-layer-size", "2000000", "--prefetch-files-json", bad.toString(), ref);
    assertThat(notArray.rc()).isEqualTo(1);
    assertThat(notArray.err().strip())
        .isEqualTo(
            "soci: --prefetch-files-json "
                + bad
                + " must hold a JSON array of paths, e.g. [\"/usr/bin/app\"]");
    Files.writeString(bad, "[\"/data/hello.txt\"");
    Run broken =
        soci("create", "--min-layer-size", "2000000", "--prefetch-files-json", bad.toString(), ref);
    assertThat(broken.rc()).isEqualTo(1);
    assertThat(broken.err())
        .startsWith("soci: --prefetch-files-json " + bad + " is not valid JSON");
    Run absent =
        soci("create", "--prefetch-files-json", work.resolve("absent.json").toString(), ref);
    assertThat(absent.rc()).isEqualTo(1);
    assertThat(absent.err().strip())
        .isEqualTo("soci: --prefetch-files-json " + work.resolve("absent.json") + ": no such file");

    Path recordings = work.resolve("recordings");
    Files.createDirectories(recordings);
    Run empty = soci("create", "--record", recordings.toString(), ref);
    assertThat(empty.rc()).isEqualTo(1);
    assertThat(empty.err().strip())
        .startsWith("soci: --record " + recordings + ": no recordings (*.json) in it");
    Path noRecord = work.resolve("no-record.json");
    Run noFile = soci("create", "--record", noRecord.toString(), ref);
    assertThat(noFile.rc()).isEqualTo(1);
    assertThat(noFile.err().strip())
        .isEqualTo("soci: --record " + noRecord + ": no such file or directory");
    Path badRecord = recordings.resolve("bad.json");
    Files.writeString(badRecord, "{\"version\":9}");
    Run badVersion = soci("create", "--record", recordings.toString(), ref);
    assertThat(badVersion.rc()).isEqualTo(1);
    assertThat(badVersion.err().strip())
        .isEqualTo(
            "soci: --record " + badRecord + ": unsupported recording version: 9 (expected 1)");

    Files.delete(badRecord);
    Files.write(
        recordings.resolve("other.json"),
        new dev.finch.soci.index.ReadRecord(
                Digest.sha256(new byte[] {42}),
                List.of(new dev.finch.soci.index.ReadRecord.Range(0, 4096)))
            .toJson());
    Run otherLayer =
        soci("create", "--min-layer-size", "2000000", "--record", recordings.toString(), ref);
    assertThat(otherLayer.rc()).as(otherLayer.err()).isZero();
    assertThat(otherLayer.err())
        .contains(
            "soci: warning: no --record recording is of a layer with a zTOC in "
                + ref
                + "; the index has no prefetch artifact");

    Run help = soci("create", "--help");
    assertThat(help.out())
        .contains("--prefetch-file=PATH")
        .contains("--prefetch-files-json=FILE")
        .contains("--record=PATH");
  }

  static Path blob(Path layout, Digest d) {
    return layout.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
  }

  @Test
  @Order(8)
  void createWithPushUploadsTheZtocsAsBuiltAndPushesTheIndexOnlyOnGo() throws Exception {
    Run lone = soci("create", "--plain-http", ref);
    assertThat(lone.rc()).isEqualTo(1);
    assertThat(lone.err().strip()).endsWith("need --push");
    RegistryClient rc = client();
    Descriptor manifest = rc.resolve(ImageRef.parse(ref));
    int before = rc.referrers("soci-it", manifest.digest(), MediaTypes.SOCI_INDEX_V1).size();
    String[] create = {
      "create",
      "--push",
      "--wait-for-go",
      "--plain-http",
      "--existing-index",
      "allow",
      "--span-size",
      "131072",
      "--min-layer-size",
      "2000000",
      ref
    };
    // the input ends without go (the image push failed): no index manifest, at once
    Run eof = withStdin("", () -> soci(create));
    assertThat(eof.rc()).as(eof.err()).isEqualTo(1);
    assertThat(eof.err().strip())
        .isEqualTo(
            "soci: the SOCI index was built but not pushed: standard input ended before \"go\"");
    assertThat(rc.referrers("soci-it", manifest.digest(), MediaTypes.SOCI_INDEX_V1))
        .hasSize(before);
    // told go: the zTOC was uploaded as soon as it was built, and the index manifest follows
    Run go = withStdin("go\n", () -> soci(create));
    assertThat(go.rc()).as(go.err()).isZero();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("-> ztoc (sha256:[0-9a-f]{64})").matcher(go.out());
    assertThat(m.find()).as(go.out()).isTrue();
    Digest ztoc = Digest.parse(m.group(1));
    assertThat(go.out())
        .containsPattern("(successfully pushed|skipped) artifact with digest: " + ztoc);
    assertThat(rc.blobExists("soci-it", ztoc)).isTrue();
    java.util.regex.Matcher pushing =
        java.util.regex.Pattern.compile("pushing soci index with digest: (sha256:[0-9a-f]{64})")
            .matcher(go.out());
    assertThat(pushing.find()).as(go.out()).isTrue();
    assertThat(go.out().indexOf("artifact with digest: " + ztoc))
        .as("the zTOC was uploaded before the index manifest")
        .isLessThan(
            go.out().indexOf("successfully pushed artifact with digest: " + pushing.group(1)));
    assertThat(go.out())
        .contains("pushing soci index with digest: ")
        .containsPattern("successfully pushed artifact with digest: sha256:[0-9a-f]{64}\n$");
    assertThat(rc.referrers("soci-it", manifest.digest(), MediaTypes.SOCI_INDEX_V1))
        .hasSize(before + 1)
        .extracting(d -> d.digest().toString())
        .anyMatch(d -> go.out().contains("pushing soci index with digest: " + d));
  }

  // runs {@code body} with {@code text} as this process's standard input
  static Run withStdin(String text, java.util.function.Supplier<Run> body) {
    java.io.InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    try {
      return body.get();
    } finally {
      System.setIn(saved);
    }
  }
}
