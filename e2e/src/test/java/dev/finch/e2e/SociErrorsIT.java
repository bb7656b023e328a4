package dev.finch.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the real {@code build/bin/soci}: one line on stderr starting {@code soci: }, a
 * non-zero exit, never a stack trace.
 */
class SociErrorsIT {
  @TempDir static Path work;
  static ContainerdFixture containerd;
  static RegistryFixture authRegistry;
  static Path soci;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    soci = Launchers.soci();
    containerd = ContainerdFixture.builder().build().start();
    authRegistry = RegistryFixture.builder().basicAuth("finch", "right-password").build().start();
    TarLayer data = TarLayer.builder().randomFile("data/blob.bin", 300_000, 5).build();
    OciImage image = TestImages.busybox(work.resolve("layout"), "errors", "v1", data);
    TestImages.importInto(containerd, image, false);
    String imported =
        containerd
            .ctr("images", "ls", "-q")
            .check()
            .stdout()
            .strip()
            .lines()
            .findFirst()
            .orElseThrow();
    containerd.ctr("images", "tag", imported, "127.0.0.1:1/unreachable:v1").check();
    containerd.ctr("images", "tag", imported, authRegistry.hostPort() + "/auth:v1").check();
  }

  @AfterAll
  static void stop() {
    if (containerd != null) {
      containerd.close();
    }
    if (authRegistry != null) {
      authRegistry.close();
    }
  }

  static ContainerdProcess.Result soci(String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--address";
    all[1] = containerd.socket().toString();
    all[2] = "--root";
    all[3] = work.resolve("root").toString();
    System.arraycopy(args, 0, all, 4, args.length);
    return Launchers.run(soci, all);
  }

  static void assertOneLineError(ContainerdProcess.Result r, String... fragments) {
    assertThat(r.exitCode()).as(r.toString()).isNotZero();
    String err = r.stderr().strip();
    assertThat(err.lines()).as("stderr: " + err).hasSize(1);
    assertThat(err).startsWith("soci: ").doesNotContain("Exception").doesNotContain("\tat ");
    for (String f : fragments) {
      assertThat(err).contains(f);
    }
  }

  static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(data);
    }
    return bos.toByteArray();
  }

  static byte[] tar(String name, byte[] content) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
      TarArchiveEntry e = new TarArchiveEntry(name, true);
      e.setSize(content.length);
      t.putArchiveEntry(e);
      t.write(content);
      t.closeArchiveEntry();
    }
    return bos.toByteArray();
  }

  @Test
  void truncatedGzip() throws Exception {
    byte[] gz = gzip(tar("a.txt", "x".repeat(200_000).getBytes(StandardCharsets.UTF_8)));
    Path f = work.resolve("truncated.tar.gz");
    Files.write(f, Arrays.copyOf(gz, gz.length / 2));
    assertOneLineError(Launchers.run(soci, "ztoc", "build", f.toString()), "truncated");
  }

  @Test
  void layerThatIsNotATar() throws Exception {
    byte[] noise = new byte[100_000];
    new Random(1).nextBytes(noise);
    Path f = work.resolve("noise.tar.gz");
    Files.write(f, gzip(noise));
    assertOneLineError(Launchers.run(soci, "ztoc", "build", f.toString()), "tar");
  }

  @Test
  void tocEntryWithDotDot() throws Exception {
    Path f = work.resolve("evil.tar.gz");
    Files.write(f, gzip(tar("../evil", "boo".getBytes(StandardCharsets.UTF_8))));
    assertOneLineError(Launchers.run(soci, "ztoc", "build", f.toString()), "..");
  }

  @Test
  void unknownImage() {
    assertOneLineError(soci("create", "127.0.0.1:5000/does-not/exist:v9"), "not found");
  }

  @Test
  void unreachableRegistry() {
    ContainerdProcess.Result c =
        soci("create", "--min-layer-size", "0", "127.0.0.1:1/unreachable:v1");
    assertThat(c.exitCode()).as(c.toString()).isZero();
    assertOneLineError(soci("push", "--plain-http", "127.0.0.1:1/unreachable:v1"), "127.0.0.1:1");
  }

  @Test
  void wrongCredentials() {
    String ref = authRegistry.hostPort() + "/auth:v1";
    ContainerdProcess.Result c = soci("create", "--min-layer-size", "0", ref);
    assertThat(c.exitCode()).as(c.toString()).isZero();
    assertOneLineError(
        soci("push", "--plain-http", "-u", "finch:wrong-password", ref), "unauthorized");
  }

  @Test
  void unknownFlagIsAUsageError() {
    ContainerdProcess.Result r = Launchers.run(soci, "create", "--no-such-flag", "x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("Unknown option: '--no-such-flag'").contains("--help");
  }
}
