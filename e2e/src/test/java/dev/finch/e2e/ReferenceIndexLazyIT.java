package dev.finch.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.Fixtures;
import dev.finch.testkit.ManagedProcess;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SOCI index v1 built and pushed by the reference soci 0.4.1 is lazily loaded by our daemon
 * ({@code build/bin/soci-snapshotter-grpc}) through {@code build/bin/soci image rpull}: the
 * container reads a file of the indexed layer and gets the right bytes; after {@code kill -9} of
 * the daemon process and a restart, a new container runs from the re-mounted layer. The reference
 * always uses /var/lib/soci-snapshotter-grpc; this test saves and restores it.
 */
class ReferenceIndexLazyIT {
  static final int FILE_SIZE = 1 << 20;

  @TempDir static Path work;
  static RegistryFixture registry;
  static ContainerdFixture containerd;
  static ManagedProcess daemon;
  static Path ref;
  static ReferenceSoci.SavedState saved;
  static String image;

  static ContainerdProcess.Result run(List<String> argv) {
    return ContainerdProcess.run(argv, Duration.ofMinutes(5));
  }

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    ref = ReferenceSoci.binDir().resolve("soci");
    saved = ReferenceSoci.saveState(work);
    registry = RegistryFixture.builder().build().start();
    TarLayer.Builder data = TarLayer.builder().dir("data");
    for (int i = 0; i < 16; i++) {
      data.randomFile(String.format("data/file%02d.bin", i), FILE_SIZE, 300 + i);
    }
    OciImage img = TestImages.busybox(work.resolve("layout"), "refidx", "v1", data.build());
    TestImages.push(img, registry.hostPort(), "it/refidx", "v1");
    image = registry.hostPort() + "/it/refidx:v1";

    Files.writeString(work.resolve("config.toml"), "# defaults\n");
    startDaemon("daemon.log");
    containerd =
        ContainerdFixture.builder()
            .proxySnapshotter("soci", work.resolve("soci.sock"))
            .build()
            .start();

    // The reference builds and pushes the index from another namespace.
    containerd.ctrIn("build", "images", "pull", "--plain-http", image).check();
    String a = containerd.socket().toString();
    ContainerdProcess.Result create =
        run(
            List.of(
                ref.toString(),
                "-a",
                a,
                "-n",
                "build",
                "create",
                "--min-layer-size",
                "1000000",
                image));
    assertThat(create.exitCode()).as(create.toString()).isZero();
    assertThat(create.stdout()).contains("-> ztoc sha256:");
    ContainerdProcess.Result push =
        run(List.of(ref.toString(), "-a", a, "-n", "build", "push", "--plain-http", image));
    assertThat(push.exitCode()).as(push.toString()).isZero();
  }

  static void startDaemon(String log) throws Exception {
    Path sock = work.resolve("soci.sock");
    Files.deleteIfExists(sock);
    daemon =
        ManagedProcess.start(
            "soci-snapshotter-grpc",
            List.of(
                Launchers.repoRoot().resolve("build/bin/soci-snapshotter-grpc").toString(),
                "--address",
                sock.toString(),
                "--root",
                work.resolve("soci-root").toString(),
                "--config",
                work.resolve("config.toml").toString()),
            Map.of(),
            work,
            work.resolve(log));
    for (int i = 0; i < 100 && !Files.exists(sock); i++) {
      Thread.sleep(100);
    }
    assertThat(sock).as(daemon.logTail(20)).exists();
  }

  /**
   * Runs {@code sha256sum <file>} in a new container (named after {@code name}) of the image on the
   * soci snapshotter, and checks that the file holds the {@link TarLayer#randomBytes} of {@code
   * seed}.
   */
  static void assertContainerReads(String name, String file, long seed) throws Exception {
    ContainerdProcess.Result c = containerd.runOnSoci(image, name + "-", "sha256sum", file);
    assertThat(c.ok()).as(c.output() + daemon.logTail(40)).isTrue();
    byte[] expected = TarLayer.randomBytes(seed, FILE_SIZE);
    assertThat(c.stdout())
        .contains(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected)));
  }

  @AfterAll
  static void stop() {
    Fixtures.closeAll(containerd, daemon, registry);
    if (saved != null) {
      saved.restore();
    }
  }

  @Test
  void ourDaemonLoadsTheReferenceIndexLazily() throws Exception {
    ContainerdProcess.Result pull =
        run(
            List.of(
                Launchers.soci().toString(),
                "--address",
                containerd.socket().toString(),
                "--namespace",
                "default",
                "image",
                "rpull",
                "--plain-http",
                image));
    assertThat(pull.exitCode()).as(pull.toString() + daemon.logTail(40)).isZero();
    assertThat(pull.stdout()).contains(": exists");
    assertContainerReads("refidx", "/data/file09.bin", 309);
    assertThat(Files.readString(work.resolve("daemon.log"))).contains("remote-snapshot-prepared");

    // kill -9 the daemon process: its FUSE mounts are left behind, broken. A new daemon on the same
    // root removes them, mounts the lazy layer again, and a new container from the image runs.
    ContainerdProcess.run(
            List.of("kill", "-9", Long.toString(daemon.pid())), Duration.ofSeconds(10))
        .check();
    for (int i = 0;
        i < 50 && ProcessHandle.of(daemon.pid()).map(ProcessHandle::isAlive).orElse(false);
        i++) {
      Thread.sleep(100);
    }
    startDaemon("daemon-restarted.log");
    String restarted = Files.readString(work.resolve("daemon-restarted.log"));
    assertThat(restarted).contains("remote-snapshot-restored");
    // containerd's connection to the proxy plugin is in its reconnect back-off since the kill
    containerd.awaitSnapshotter("soci", Duration.ofSeconds(30));
    assertContainerReads("refidx2", "/data/file11.bin", 311);

    // The launcher hands an rpull to the daemon it finds beside SOCI_SNAPSHOTTER_ADDRESS (its warm
    // JVM runs it); SOCI_RPULL_HANDOFF=0 keeps the pull in the launcher's own process.
    List<String> rpull =
        List.of(
            Launchers.soci().toString(),
            "--address",
            containerd.socket().toString(),
            "--namespace",
            "default",
            "image",
            "rpull",
            "--plain-http",
            image);
    List<String> handedOff =
        new java.util.ArrayList<>(
            List.of("env", "SOCI_SNAPSHOTTER_ADDRESS=" + work.resolve("soci.sock")));
    handedOff.addAll(rpull);
    ContainerdProcess.Result viaDaemon = run(handedOff);
    assertThat(viaDaemon.exitCode()).as(viaDaemon.toString() + daemon.logTail(40)).isZero();
    assertThat(viaDaemon.stdout()).contains(image + ": resolved", ": exists");
    assertThat(Files.readString(work.resolve("daemon-restarted.log")))
        .contains("\"event\":\"rpull-handoff\"");
    long handoffs =
        Files.readString(work.resolve("daemon-restarted.log"))
            .lines()
            .filter(l -> l.contains("rpull-handoff"))
            .count();
    List<String> own =
        new java.util.ArrayList<>(
            List.of(
                "env",
                "SOCI_SNAPSHOTTER_ADDRESS=" + work.resolve("soci.sock"),
                "SOCI_RPULL_HANDOFF=0"));
    own.addAll(rpull);
    ContainerdProcess.Result inProcess = run(own);
    assertThat(inProcess.exitCode()).as(inProcess.toString()).isZero();
    assertThat(inProcess.stdout()).contains(image + ": resolved", ": exists");
    assertThat(
            Files.readString(work.resolve("daemon-restarted.log"))
                .lines()
                .filter(l -> l.contains("rpull-handoff"))
                .count())
        .isEqualTo(handoffs);
  }
}
