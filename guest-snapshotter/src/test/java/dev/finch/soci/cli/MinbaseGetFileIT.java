package dev.finch.soci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.image.OciArchive;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real root filesystem as one layer (debootstrap --variant=minbase bookworm, cached per machine
 * in /var/tmp/finch-test-cache): after {@code soci create}, every regular file in the zTOC, read
 * with {@code soci ztoc get-file}, is byte-identical to the file in the tar.
 */
public class MinbaseGetFileIT {
  static final Path CACHE = Path.of("/var/tmp/finch-test-cache");
  public static final Path TAR = CACHE.resolve("minbase-bookworm.tar");
  public static final String IMAGE = "example.test/minbase:bookworm";

  @TempDir static Path work;
  static ContainerdFixture containerd;
  static Path layerGz;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    ensureRootfsTar();
    containerd = ContainerdFixture.builder().build().start();
    layerGz = work.resolve("layer.tar.gz");
    ContainerdProcess.run(
            List.of("sh", "-c", "gzip -6 -n -c " + TAR + " > " + layerGz), Duration.ofMinutes(5))
        .check();
    Path layout = writeLayout(work.resolve("layout"), layerGz, sha256(Files.newInputStream(TAR)));
    Path archive = work.resolve("layout.tar");
    OciArchive.pack(layout, archive);
    containerd.importArchive(archive);
  }

  @AfterAll
  static void stop() {
    if (containerd != null) {
      containerd.close();
    }
  }

  /** debootstrap once per machine; a failure fails the test with debootstrap's output. */
  public static void ensureRootfsTar() throws IOException {
    if (Files.isRegularFile(TAR)) {
      return;
    }
    Files.createDirectories(CACHE);
    Path dir = Files.createTempDirectory(CACHE, "minbase-");
    Path tmpTar = CACHE.resolve("minbase-bookworm.tar.tmp");
    try {
      ContainerdProcess.Result r =
          ContainerdProcess.run(
              List.of("debootstrap", "--variant=minbase", "bookworm", dir.toString()),
              Duration.ofMinutes(15));
      assertThat(r.exitCode()).as("debootstrap failed: " + r.stderr() + r.stdout()).isZero();
      ContainerdProcess.run(
              List.of(
                  "tar", "-C", dir.toString(), "--numeric-owner", "-cf", tmpTar.toString(), "."),
              Duration.ofMinutes(5))
          .check();
      Files.move(tmpTar, TAR, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      ContainerdProcess.run(
          List.of("rm", "-rf", dir.toString(), tmpTar.toString()), Duration.ofMinutes(2));
    }
  }

  public static String sha256(InputStream in) throws IOException {
    MessageDigest md = Digest.newSha256();
    try (InputStream b = new BufferedInputStream(in, 1 << 20)) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = b.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  public static Path writeLayout(Path layout, Path layer, String diffId) throws IOException {
    Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
    String layerDigest = sha256(Files.newInputStream(layer));
    Files.copy(layer, blobs.resolve(layerDigest.substring(7)));
    String config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
            + diffId
            + "\"]}}";
    String configDigest = put(blobs, config);
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
            + configDigest
            + "\",\"size\":"
            + config.length()
            + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
            + "\"digest\":\""
            + layerDigest
            + "\",\"size\":"
            + Files.size(layer)
            + "}]}";
    String manifestDigest = put(blobs, manifest);
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(
        layout.resolve("index.json"),
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
            + manifestDigest
            + "\",\"size\":"
            + manifest.length()
            + ",\"annotations\":{\"io.containerd.image.name\":\""
            + IMAGE
            + "\",\"org.opencontainers.image.ref.name\":\"bookworm\"}}]}");
    return layout;
  }

  static String put(Path blobs, String content) throws IOException {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    String d = Digest.sha256(b).toString();
    Files.write(blobs.resolve(d.substring(7)), b);
    return d;
  }

  static Run soci(String... args) {
    return SociRuns.soci(containerd.socket(), work.resolve("root"), args);
  }

  @Test
  void everyRegularFileReadsBackByteIdentical() throws Exception {
    long tarSize = Files.size(TAR);
    long gzSize = Files.size(layerGz);
    assertThat(tarSize).as("uncompressed layer").isGreaterThan(90_000_000L);

    Map<String, String> expected = new HashMap<>();
    Map<String, String> links = new HashMap<>();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(TAR), 1 << 20))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.isLink()) {
          links.put(e.getName(), e.getLinkName());
        } else if (e.getLinkFlag()
                == org.apache.commons.compress.archivers.tar.TarConstants.LF_NORMAL
            || e.getLinkFlag()
                == org.apache.commons.compress.archivers.tar.TarConstants.LF_OLDNORM) {
          expected.put(e.getName(), sha256(new NoCloseInputStream(in)));
        }
      }
    }
    links.forEach((name, target) -> expected.put(name, expected.get(target)));

    long t0 = System.nanoTime();
    Run create = soci("create", "--min-layer-size", "0", IMAGE);
    double createSecs = (System.nanoTime() - t0) / 1e9;
    assertThat(create.rc()).as(create.err()).isZero();
    String ztoc = soci("ztoc", "list", "-q").out().strip();
    assertThat(Digest.isDigest(ztoc)).as(ztoc).isTrue();
    var info = Json.MAPPER.readTree(soci("ztoc", "info", ztoc).out());
    List<String> files = new ArrayList<>();
    for (var f : info.get("files")) {
      if (List.of("reg", "hardlink").contains(f.get("type").asText())) {
        files.add(f.get("filename").asText());
      }
    }
    assertThat(files).hasSize(expected.size());

    Path outDir = work.resolve("extracted");
    List<String> args = new ArrayList<>(List.of("ztoc", "get-file", "-o", outDir.toString(), ztoc));
    args.addAll(files);
    t0 = System.nanoTime();
    Run get = soci(args.toArray(String[]::new));
    double getSecs = (System.nanoTime() - t0) / 1e9;
    assertThat(get.rc()).as(get.err()).isZero();
    int mismatches = 0;
    for (String f : files) {
      String actual =
          sha256(
              Files.newInputStream(outDir.resolve(dev.finch.soci.ztoc.TocValidation.cleanPath(f))));
      if (!actual.equals(expected.get(f))) {
        mismatches++;
      }
    }
    assertThat(mismatches).as("files whose bytes differ from the tar").isZero();
    System.out.printf(
        "minbase layer: tar %d B, gzip %d B, %d regular files + hardlinks, %d spans; create %.1f s, get-file of all %.1f s%n",
        tarSize, gzSize, files.size(), info.get("num_spans").asInt(), createSecs, getSecs);
  }

  /** Lets a per-entry reader be closed without closing the tar stream. */
  public static final class NoCloseInputStream extends java.io.FilterInputStream {
    public NoCloseInputStream(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
