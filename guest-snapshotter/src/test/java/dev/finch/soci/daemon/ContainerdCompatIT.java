package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.ContainerdVersion;
import dev.finch.soci.lazy.LazyPreparerFactory;
import dev.finch.soci.testing.CriPull;
import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.testkit.ContainerdDist;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole SOCI path against the containerd build of this pass of the matrix ({@link
 * ContainerdDist#selected()}: 1.6, 1.7 or 2.x): {@code soci create}, {@code soci push}, {@code soci
 * image rpull}, a lazy {@code ctr run}, a daemon restart and a CRI {@code PullImage}, with
 * containerd checked alive after every step (its process runs, it answers, and its log has no
 * panic) and every container read checked byte for byte. Last, containerd is killed in the middle
 * of a {@code soci create}, which must fail with one clear line.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerdCompatIT {
  static final int FILE_SIZE = 1 << 20;
  @TempDir static Path tmp;
  static RegistryFixture registry;
  static DaemonHarness daemon;
  static ContainerdFixture containerd;
  static OciImage image;
  static String ref;
  static OciImage criImage;
  static String criRef;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    TarLayer.Builder data = TarLayer.builder().dir("data");
    for (int i = 0; i < 24; i++) {
      data.randomFile(String.format("data/file%02d.bin", i), FILE_SIZE, 700 + i);
    }
    image = TestImages.busybox(tmp.resolve("layout"), "compat", "v1", data.build());
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/compat", "v1");
    ref = registry.hostPort() + "/it/compat:v1";
    criImage =
        TestImages.busybox(
            tmp.resolve("cri-layout"),
            "compat",
            "cri",
            TarLayer.builder().dir("k").randomFile("k/kube.bin", 4 << 20, 900).build());
    TestImages.push(criImage, registry.hostPort(), "it/compat", "cri");
    criRef = registry.hostPort() + "/it/compat:cri";
    daemon = new DaemonHarness();
    daemon.start(new LazyPreparerFactory());
    containerd =
        ContainerdFixture.builder()
            .enableCri(new ContainerdFixture.Cri("soci", List.of(registry.hostPort())))
            .proxySnapshotter("soci", daemon.socket)
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }

  static Run soci(String... args) {
    return SociRuns.soci(containerd.socket(), tmp.resolve("soci-cli"), args);
  }

  /** containerd's process runs, it answers a Version call, and it has logged no panic. */
  static void assertContainerdAlive(String after) {
    assertThat(ProcessHandle.of(containerd.pid()).map(ProcessHandle::isAlive))
        .as("containerd process after %s\n%s", after, containerd.logTail())
        .contains(true);
    try (ContainerdClient c = ContainerdClient.connect(containerd.socket(), "default")) {
      assertThat(c.version().version()).as("containerd answers after %s", after).isNotEmpty();
    }
    assertThat(containerd.logTail()).as("containerd log after %s", after).doesNotContain("panic:");
  }

  static String sha256Of(int fileIndex) throws Exception {
    byte[] expected = TarLayer.randomBytes(700 + fileIndex, FILE_SIZE);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected));
  }

  static void assertRunReads(String name, int fileIndex) throws Exception {
    ContainerdProcess.Result run =
        containerd.runOnSoci(
            ref, name + "-", "sha256sum", String.format("/data/file%02d.bin", fileIndex));
    assertThat(run.ok())
        .as("run: %s\n%s\n%s", run.output(), containerd.logTail(), daemon.logText())
        .isTrue();
    assertThat(run.stdout()).contains(sha256Of(fileIndex));
    assertContainerdAlive("ctr run " + name);
  }

  @Test
  @Order(1)
  void theFixtureRunsTheSelectedBuild() {
    ContainerdDist dist = containerd.dist();
    try (ContainerdClient c = ContainerdClient.connect(containerd.socket(), "default")) {
      ContainerdVersion v = c.version();
      System.out.println("containerd matrix: " + dist.name() + " -> " + v);
      assertThat(v.version())
          .as("containerd %s at %s", dist.name(), dist.binDir())
          .matches("v?" + java.util.regex.Pattern.quote(dist.versionPrefix()) + ".*");
      assertThat(v.supported()).isTrue();
    }
  }

  @Test
  @Order(2)
  void createPushRpullRunRestartAndCriPull() throws Exception {
    containerd.ctrIn("build", "images", "pull", "--plain-http", ref).check();
    assertContainerdAlive("ctr images pull");

    Run create =
        soci(
            "--namespace",
            "build",
            "create",
            "--span-size",
            "262144",
            "--min-layer-size",
            "2000000",
            ref);
    assertThat(create.rc()).as(create.err()).isZero();
    assertThat(create.err()).isEmpty();
    assertContainerdAlive("soci create");
    String indexLabel = containerd.ctrIn("build", "images", "ls").check().stdout();
    assertThat(indexLabel).contains("containerd.io/gc.ref.content.soci-index=sha256:");

    Run push = soci("--namespace", "build", "push", "--plain-http", ref);
    assertThat(push.rc()).as(push.err()).isZero();
    assertContainerdAlive("soci push");

    String dataLayer = image.single().layers().get(1).blob().digest();
    long layerSize = image.single().layers().get(1).blob().size();
    long before = registry.blobBytesServed(dataLayer.substring(7));
    Run pull = soci("--namespace", "default", "image", "rpull", "--plain-http", ref);
    assertThat(pull.rc()).as("%s\n%s\n%s", pull.out(), pull.err(), daemon.logText()).isZero();
    assertThat(pull.out()).contains("layer-" + dataLayer + ": exists");
    assertThat(daemon.logText()).contains("\"event\":\"remote-snapshot-prepared\"");
    assertContainerdAlive("soci image rpull");

    assertRunReads("lazy", 5);
    long served = registry.blobBytesServed(dataLayer.substring(7)) - before;
    assertThat(served)
        .as("bytes of the indexed layer served for one 1 MiB read")
        .isPositive()
        .isLessThan(layerSize / 5);

    daemon.wiring().close();
    daemon.start(new LazyPreparerFactory());
    containerd.awaitSnapshotter("soci", Duration.ofSeconds(30));
    assertContainerdAlive("daemon restart");
    assertRunReads("after-restart", 17);

    // CRI (namespace k8s.io): an image of its own, so that its layer is prepared here and now.
    SociRuns.publishIndex(
        containerd, tmp.resolve("soci-cli"), criRef, "--min-layer-size", "2000000");
    String criLayer = criImage.single().layers().get(1).blob().digest();
    assertThat(CriPull.pullImage(containerd.socket(), criRef)).startsWith("sha256:");
    assertContainerdAlive("CRI PullImage");
    assertThat(daemon.logText())
        .as("the CRI pull prepared its indexed layer lazily")
        .containsPattern("\"event\":\"remote-snapshot-prepared\".*\"layer\":\"" + criLayer + "\"");
  }

  @Test
  @Order(3)
  void createAgainstAContainerdThatDiesMidwayFailsWithOneLine() throws Exception {
    // A small indexed layer first, then a big one: containerd is killed once the first is reported.
    TarLayer small = TarLayer.builder().dir("a").randomFile("a/small.bin", 3 << 20, 1).build();
    TarLayer.Builder big = TarLayer.builder().dir("b");
    for (int i = 0; i < 12; i++) {
      big.randomFile("b/big" + i + ".bin", 8 << 20, 10 + i);
    }
    OciImage dying = TestImages.busybox(tmp.resolve("dying"), "dying", "v1", small, big.build());
    TestImages.push(dying, registry.hostPort(), "it/dying", "v1");
    String dyingRef = registry.hostPort() + "/it/dying:v1";
    containerd.ctrIn("build", "images", "pull", "--plain-http", dyingRef).check();
    String smallLayer = dying.single().layers().get(1).blob().digest();

    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    var rc = new java.util.concurrent.CompletableFuture<Integer>();
    Thread.ofVirtual()
        .start(
            () ->
                rc.complete(
                    dev.finch.soci.cli.main.SociCli.run(
                        new java.io.PrintWriter(out, true),
                        new java.io.PrintWriter(err, true),
                        "--address",
                        containerd.socket().toString(),
                        "--root",
                        tmp.resolve("soci-cli").toString(),
                        "--namespace",
                        "build",
                        "create",
                        "--min-layer-size",
                        "2000000",
                        dyingRef)));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!out.toString().contains("layer " + smallLayer)
        && !rc.isDone()
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(rc.isDone())
        .as("create still running when its first layer was reported: %s %s", out, err)
        .isFalse();
    ProcessHandle.of(containerd.pid()).orElseThrow().destroyForcibly();
    int code = rc.get(60, java.util.concurrent.TimeUnit.SECONDS);
    System.out.println("soci create with containerd killed: rc " + code + ", stderr: " + err);
    assertThat(code).as("stdout %s\nstderr %s", out, err).isEqualTo(1);
    List<String> lines = err.toString().lines().toList();
    assertThat(lines).hasSize(1);
    assertThat(lines.getFirst())
        .startsWith("soci: ")
        .contains("containerd")
        .doesNotContain("Exception");
  }
}
