package dev.finch.testkit.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finch.testkit.ContainerdProcess;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutWriterTest {
  @Test
  void writesALayoutWhoseDigestsCheckOut(@TempDir Path tmp) throws Exception {
    OciLayoutWriter w = new OciLayoutWriter(tmp.resolve("l"));
    OciImage img =
        w.image("docker.io/finch/t:1", "1")
            .layer(TarLayerTest.sample(), OciLayoutWriter.Compression.GZIP)
            .cmd("cat", "/dir/a.txt")
            .write();

    assertThat(tmp.resolve("l/oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
    JsonNode index = OciLayoutWriter.JSON.readTree(tmp.resolve("l/index.json").toFile());
    JsonNode entry = index.path("manifests").get(0);
    assertThat(entry.path("digest").asText()).isEqualTo(img.target().digest());
    assertThat(entry.path("annotations").path("org.opencontainers.image.ref.name").asText())
        .isEqualTo("1");
    assertThat(entry.path("annotations").path("io.containerd.image.name").asText())
        .isEqualTo("docker.io/finch/t:1");

    for (Path blob : Files.list(tmp.resolve("l/blobs/sha256")).toList()) {
      assertThat(Sha256.of(Files.readAllBytes(blob))).isEqualTo("sha256:" + blob.getFileName());
    }
    OciLayer layer = img.single().layers().getFirst();
    try (InputStream in =
        new GZIPInputStream(Files.newInputStream(w.blobPath(layer.blob().digest())))) {
      assertThat(Sha256.of(in.readAllBytes())).isEqualTo(layer.diffId());
    }
    JsonNode config =
        OciLayoutWriter.JSON.readTree(w.blobPath(img.single().config().digest()).toFile());
    assertThat(config.path("rootfs").path("diff_ids").get(0).asText()).isEqualTo(layer.diffId());
    assertThat(config.path("os").asText()).isEqualTo("linux");
    assertThat(config.path("architecture").asText()).isEqualTo("amd64");
    assertThat(config.path("config").path("Cmd").toString()).isEqualTo("[\"cat\",\"/dir/a.txt\"]");
  }

  @Test
  void sameInputsSameDigests(@TempDir Path tmp) {
    OciImage a = TestImages.busybox(tmp.resolve("a"), "docker.io/finch/b:1", "1");
    OciImage b = TestImages.busybox(tmp.resolve("b"), "docker.io/finch/b:1", "1");
    assertThat(a.target()).isEqualTo(b.target());
  }

  @Test
  void retaggingReplacesTheIndexEntry(@TempDir Path tmp) throws Exception {
    OciLayoutWriter w = new OciLayoutWriter(tmp);
    w.image("docker.io/finch/t:1", "1").write();
    OciImage second = w.image("docker.io/finch/t:1", "1").cmd("true").write();
    JsonNode index = OciLayoutWriter.JSON.readTree(tmp.resolve("index.json").toFile());
    assertThat(index.path("manifests")).hasSize(1);
    assertThat(index.path("manifests").get(0).path("digest").asText())
        .isEqualTo(second.target().digest());
  }

  @Test
  void skopeoReadsTheLayoutByTag(@TempDir Path tmp) throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/skopeo")) || "true".equals(System.getenv("CI")),
        "skopeo not installed");
    OciLayoutWriter w = new OciLayoutWriter(tmp.resolve("l"));
    OciImage amd =
        w.platformImage().layer(TarLayerTest.sample(), OciLayoutWriter.Compression.NONE).write();
    OciImage arm = w.platformImage().platform("linux/arm64/v8").write();
    OciImage multi = w.writeIndex("docker.io/finch/m:2", "2", List.of(amd, arm));
    ContainerdProcess.Result r =
        ContainerdProcess.run(
                List.of("skopeo", "inspect", "--raw", "oci:" + tmp.resolve("l") + ":2"),
                Duration.ofMinutes(1))
            .check();
    assertThat(Sha256.of(r.stdout().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo(multi.target().digest());
    ContainerdProcess.run(
            List.of(
                "skopeo",
                "copy",
                "--all",
                "--preserve-digests",
                "oci:" + tmp.resolve("l") + ":2",
                "oci:" + tmp.resolve("copy") + ":2"),
            Duration.ofMinutes(1))
        .check();
    // With --preserve-digests the whole graph arrives byte for byte (without it skopeo gzips tar
    // layers).
    for (String hex :
        List.of(
            multi.target().hex(),
            amd.target().hex(),
            arm.target().hex(),
            amd.single().layers().getFirst().blob().hex())) {
      assertThat(tmp.resolve("copy/blobs/sha256/" + hex)).exists();
    }
  }
}
