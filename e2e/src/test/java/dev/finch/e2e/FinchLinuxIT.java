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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build/bin/finch} on Linux (no VM, no nerdctl: the ctr + soci engine) against a real
 * containerd whose soci proxy snapshotter is our {@code build/bin/soci-snapshotter-grpc} process
 * and a real registry; {@code finch.yaml} says {@code snapshotters: [soci]}, so soci is the
 * default.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FinchLinuxIT {
  static final Path SOCI_STATE = Path.of("/var/lib/soci-snapshotter-grpc");

  @TempDir static Path work;
  static RegistryFixture registry;
  static ContainerdFixture containerd;
  static ManagedProcess daemon;
  static Path finchDir;
  static String image;
  static boolean stateExisted;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    stateExisted = Files.exists(SOCI_STATE);
    Path root = Launchers.repoRoot();
    registry = RegistryFixture.builder().build().start();
    TarLayer data =
        TarLayer.builder()
            .dir("etc")
            .file("etc/os-release", "PRETTY_NAME=\"finch-java test image\"\nID=finchtest\n")
            .randomFile("data/big.bin", 12 << 20, 3)
            .build();
    OciImage img = TestImages.busybox(work.resolve("layout"), "finch", "v1", data);
    TestImages.push(img, registry.hostPort(), "it/finch", "v1");
    image = registry.hostPort() + "/it/finch:v1";

    Path sock = work.resolve("soci.sock");
    Files.writeString(work.resolve("config.toml"), "# defaults\n");
    daemon =
        ManagedProcess.start(
            "soci-snapshotter-grpc",
            List.of(
                root.resolve("build/bin/soci-snapshotter-grpc").toString(),
                "--address",
                sock.toString(),
                "--root",
                work.resolve("soci-root").toString(),
                "--config",
                work.resolve("config.toml").toString()),
            Map.of(),
            work,
            work.resolve("daemon.log"));
    for (int i = 0; i < 100 && !Files.exists(sock); i++) {
      Thread.sleep(100);
    }
    assertThat(sock).as(daemon.logTail(20)).exists();
    containerd = ContainerdFixture.builder().proxySnapshotter("soci", sock).build().start();
    finchDir = Files.createDirectories(work.resolve("finch"));
    Files.writeString(finchDir.resolve("finch.yaml"), "snapshotters: [soci]\n");
  }

  @AfterAll
  static void stop() {
    Fixtures.closeAll(containerd, daemon, registry);
    if (!stateExisted) {
      ContainerdProcess.run(List.of("rm", "-rf", SOCI_STATE.toString()), Duration.ofMinutes(1));
    }
  }

  static ContainerdProcess.Result finch(String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "env",
                "FINCH_DIR=" + finchDir,
                "SOCI_ROOT=" + work.resolve("soci-cli"),
                Launchers.repoRoot().resolve("build/bin/finch").toString(),
                "--address",
                containerd.socket().toString()));
    argv.addAll(List.of(args));
    return ContainerdProcess.run(argv, Duration.ofMinutes(3));
  }

  @Test
  @Order(1)
  void pushWithSociBuildsAndPushesTheIndex() {
    Launchers.pushWithSoci(FinchLinuxIT::finch, containerd, image);
    ContainerdProcess.Result tags =
        ContainerdProcess.run(
            List.of("curl", "-fsS", registry.url() + "/v2/it/finch/tags/list"),
            Duration.ofSeconds(30));
    assertThat(tags.stdout()).as("fallback tag of the pushed index").contains("\"sha256-");
    containerd.ctrIn("finch", "images", "rm", image).check();
  }

  @Test
  @Order(2)
  void pullAndRunLazilyWithSociAsTheDefault() {
    Launchers.pullAndRunLazily(FinchLinuxIT::finch, daemon, image, "finch-java test image");
  }

  @Test
  @Order(3)
  void imagesTagAndRmi() {
    assertThat(finch("images").stdout()).contains("it/finch");
    String copy = registry.hostPort() + "/it/finch:copy";
    assertThat(finch("tag", image, copy).exitCode()).isZero();
    assertThat(finch("images").stdout()).contains("copy");
    assertThat(finch("rmi", copy).exitCode()).isZero();
    assertThat(finch("images").stdout()).doesNotContain(":copy").doesNotContain("copy ");
    // as nerdctl: removing an image that is not there (or a name that is no reference) fails
    for (String missing : List.of(copy, ":::", "127.0.0.1:1/nonexistent:zz")) {
      ContainerdProcess.Result r = finch("rmi", missing);
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
      assertThat(r.stderr().strip())
          .matches("FATA\\[\\d{4}] no such image: " + java.util.regex.Pattern.quote(missing));
    }
    assertThat(finch("rmi", "-f", copy).exitCode()).isZero();
  }
}
