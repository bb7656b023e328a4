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
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux package of {@code make deb} ({@code installers/build-deb}) installed for real with dpkg
 * on this machine: the installed commands start, the files are the bundle's, a lazy pull and run
 * goes through the installed {@code /usr/bin/finch} and {@code /usr/bin/soci-snapshotter-grpc}
 * exactly as {@link FinchLinuxIT} does with the checkout's launchers, and removal takes the files
 * away again.
 *
 * <p>It never touches an install it did not make: it refuses to run when a finch package or any of
 * the package's paths is already there, and {@code @AfterAll} purges only the package it installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebPackageIT {
  static final Path SOCI_STATE = Path.of("/var/lib/soci-snapshotter-grpc");
  static final Path GUEST = Path.of("/usr/lib/finch-guest");
  static final Path FINCH = Path.of("/usr/bin/finch");
  static final Path SOCI = Path.of("/usr/bin/soci");
  static final Path DAEMON = Path.of("/usr/bin/soci-snapshotter-grpc");

  /**
   * Everything the package puts outside shared directories; any of it already there is someone
   * else's.
   */
  static final List<Path> OWN_PATHS =
      List.of(
          FINCH,
          SOCI,
          DAEMON,
          Path.of("/usr/lib/finch"),
          GUEST,
          Path.of("/etc/soci-snapshotter-grpc"),
          Path.of("/lib/systemd/system/soci-snapshotter.service"),
          Path.of("/usr/share/doc/finch"));

  /** dpkg and its maintainer scripts need the sbin directories (ldconfig, start-stop-daemon). */
  static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  static final Duration DPKG_TIMEOUT = Duration.ofMinutes(5);

  @TempDir static Path work;
  static Path deb;
  static boolean stateExisted;

  /** Set just before our {@code dpkg -i}: from then on {@code @AfterAll} purges. */
  static boolean installedByUs;

  static RegistryFixture registry;
  static ContainerdFixture containerd;
  static ManagedProcess daemon;
  static Path finchDir;

  @BeforeAll
  static void preconditions() throws Exception {
    ContainerdFixture.assumeRoot();
    Path dir = Launchers.repoRoot().resolve("build/deb");
    try (Stream<Path> debs = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
      deb =
          debs.filter(p -> p.getFileName().toString().matches("finch_.+_amd64\\.deb"))
              .max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()))
              .orElse(null);
    }
    assertThat(deb).as("build/deb/finch_*_amd64.deb: run `make deb` first").isNotNull();
    ContainerdProcess.Result query = sh("dpkg-query", "-W", "finch");
    assertThat(query.ok())
        .as(
            "a package named finch is installed already ("
                + query.stdout().strip()
                + "); remove it before running this test, it would be replaced and then purged")
        .isFalse();
    for (Path p : OWN_PATHS) {
      assertThat(occupied(p))
          .as(
              p
                  + " exists but belongs to no finch package; dpkg would overwrite it and "
                  + "removal delete it, so move it away first")
          .isFalse();
    }
    stateExisted = Files.exists(SOCI_STATE);
    finchDir = Files.createDirectories(work.resolve("finch"));
    Files.writeString(finchDir.resolve("finch.yaml"), "snapshotters: [soci]\n");
  }

  @AfterAll
  static void restoreTheMachine() {
    Fixtures.closeAll(containerd, daemon, registry);
    // Also after a failed or partial install, or after `dpkg -r` (which keeps the conffile).
    if (installedByUs && sh("dpkg-query", "-W", "finch").ok()) {
      ContainerdProcess.Result purge = dpkg("--purge", "finch");
      if (!purge.ok()) {
        System.err.println("DebPackageIT: dpkg --purge finch failed: " + purge);
      }
    }
    if (!stateExisted) {
      ContainerdProcess.run(List.of("rm", "-rf", SOCI_STATE.toString()), Duration.ofMinutes(1));
    }
  }

  /**
   * A path there before us; an empty directory is only a mount point (build-guest-bundle makes one
   * briefly).
   */
  static boolean occupied(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return true;
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isPresent();
    }
  }

  static ContainerdProcess.Result sh(String... argv) {
    List<String> a = new ArrayList<>(List.of("env", PATH));
    a.addAll(List.of(argv));
    return ContainerdProcess.run(a, DPKG_TIMEOUT);
  }

  /**
   * dpkg with the given arguments; while another dpkg or apt holds the lock (the other tests'
   * set-up may run install-deps) it retries, for at most two minutes.
   */
  static ContainerdProcess.Result dpkg(String... args) {
    List<String> argv = new ArrayList<>(List.of("dpkg"));
    argv.addAll(List.of(args));
    long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    ContainerdProcess.Result r = sh(argv.toArray(String[]::new));
    while (!r.ok() && r.output().contains("lock") && System.nanoTime() < end) {
      sleep(2000);
      r = sh(argv.toArray(String[]::new));
    }
    return r;
  }

  static String status() {
    ContainerdProcess.Result r = sh("dpkg-query", "-W", "-f=${Status}", "finch");
    return r.ok() ? r.stdout().strip() : "(unknown to dpkg)";
  }

  static ContainerdProcess.Result finch(String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "env",
                "FINCH_DIR=" + finchDir,
                "SOCI_ROOT=" + work.resolve("soci-cli"),
                FINCH.toString(),
                "--address",
                containerd.socket().toString()));
    argv.addAll(List.of(args));
    return ContainerdProcess.run(argv, Duration.ofMinutes(3));
  }

  /** The bundle's MANIFEST sha256 lines: path below /usr/lib/finch-guest to digest. */
  static Map<String, String> manifest() throws IOException {
    Map<String, String> sums = new LinkedHashMap<>();
    boolean inSums = false;
    for (String line : Files.readAllLines(GUEST.resolve("MANIFEST"))) {
      if (line.equals("sha256:")) {
        inSums = true;
      } else if (inSums && !line.isBlank()) {
        String[] f = line.split(" {2}", 2);
        sums.put(f[1], f[0]);
      }
    }
    return sums;
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Test
  @Order(1)
  void installsWithDpkg() {
    String version = sh("dpkg-deb", "-f", deb.toString(), "Version").check().stdout().strip();
    installedByUs = true;
    ContainerdProcess.Result install = dpkg("-i", deb.toString());
    assertThat(install.exitCode()).as(install.toString()).isZero();
    assertThat(status()).isEqualTo("install ok installed");
    assertThat(sh("dpkg-query", "-W", "-f=${Version}", "finch").stdout()).isEqualTo(version);
  }

  @Test
  @Order(2)
  void installedCommandsRun() {
    ContainerdProcess.Result soci = Launchers.run(SOCI, "--help");
    assertThat(soci.exitCode()).as(soci.toString()).isZero();
    ContainerdProcess.Result config = Launchers.run(DAEMON, "config", "default");
    assertThat(config.exitCode()).as(config.toString()).isZero();
    assertThat(config.stdout()).contains("[pull_modes.soci_v1]");
    ContainerdProcess.Result help = Launchers.run(FINCH, "--help");
    assertThat(help.exitCode()).as(help.toString()).isZero();
    assertThat(help.stdout()).contains("Usage");
  }

  @Test
  @Order(3)
  void installedFilesAreTheBundles() throws Exception {
    String listed = sh("dpkg", "-L", "finch").check().stdout();
    List<String> paths = listed.lines().toList();
    assertThat(paths)
        .contains(
            "/usr/lib/finch-guest/runtime/bin/java",
            "/usr/lib/finch/bin/finch",
            "/usr/bin/finch",
            "/etc/soci-snapshotter-grpc/config.toml",
            "/lib/systemd/system/soci-snapshotter.service");
    Map<String, String> sums = manifest();
    assertThat(sums).containsKeys("bin/soci", "bin/soci-snapshotter-grpc", "runtime/bin/java");
    // All of them: the point of copying the bundle as is is that nothing in it changed.
    for (Map.Entry<String, String> e : sums.entrySet()) {
      Path file = GUEST.resolve(e.getKey());
      assertThat(paths).as("dpkg -L finch").contains(file.toString());
      assertThat(sha256(file)).as(file.toString()).isEqualTo(e.getValue());
    }
    // finch's install dir holds soci, as in a checkout's build/bin.
    assertThat(Path.of("/usr/lib/finch/bin/soci").toRealPath())
        .isEqualTo(GUEST.resolve("bin/soci"));
  }

  @Test
  @Order(4)
  void pushPullAndRunLazilyWithTheInstalledBinaries() throws Exception {
    registry = RegistryFixture.builder().build().start();
    TarLayer data =
        TarLayer.builder()
            .dir("etc")
            .file("etc/os-release", "PRETTY_NAME=\"finch-java deb test image\"\nID=finchtest\n")
            .randomFile("data/big.bin", 12 << 20, 5)
            .build();
    OciImage img = TestImages.busybox(work.resolve("layout"), "deb", "v1", data);
    TestImages.push(img, registry.hostPort(), "it/deb", "v1");
    String image = registry.hostPort() + "/it/deb:v1";

    Path sock = work.resolve("soci.sock");
    Files.writeString(work.resolve("config.toml"), "# defaults\n");
    daemon =
        ManagedProcess.start(
            "soci-snapshotter-grpc",
            List.of(
                DAEMON.toString(),
                "--address",
                sock.toString(),
                "--root",
                work.resolve("root").toString(),
                "--config",
                work.resolve("config.toml").toString()),
            Map.of(),
            work,
            work.resolve("daemon.log"));
    for (int i = 0; i < 150 && !Files.exists(sock) && daemon.isAlive(); i++) {
      Thread.sleep(100);
    }
    assertThat(sock).as(daemon.logTail(20)).exists();
    // The launcher execs the installed runtime, and (when the bundle has them) the JVM maps the AOT
    // cache trained for this very path: the reason the bundle is installed unmodified.
    assertThat(ProcessHandle.of(daemon.pid()).flatMap(h -> h.info().command()))
        .contains(GUEST.resolve("runtime/bin/java").toString());
    if (!Files.readString(GUEST.resolve("MANIFEST")).contains("aot-caches: 0")) {
      assertThat(Files.readString(Path.of("/proc/" + daemon.pid() + "/maps")))
          .as("the daemon maps its AOT cache")
          .contains(GUEST.resolve("lib/soci-snapshotter-grpc.aot").toString());
    }
    containerd = ContainerdFixture.builder().proxySnapshotter("soci", sock).build().start();

    Launchers.pushWithSoci(DebPackageIT::finch, containerd, image);
    containerd.ctrIn("finch", "images", "rm", image).check();

    Launchers.pullAndRunLazily(DebPackageIT::finch, daemon, image, "finch-java deb test image");
  }

  @Test
  @Order(5)
  void removeTakesTheFilesAway() {
    // As the package's prerm does with the unit: the daemon stops before its files go.
    if (containerd != null) {
      containerd.close();
    }
    if (daemon != null) {
      daemon.stop(Duration.ofSeconds(10));
    }
    ContainerdProcess.Result remove = dpkg("-r", "finch");
    assertThat(remove.exitCode()).as(remove.toString()).isZero();
    for (Path p : List.of(FINCH, SOCI, DAEMON, Path.of("/usr/lib/finch"), GUEST.resolve("bin"))) {
      assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).as(p + " after dpkg -r").isFalse();
    }
    assertThat(status()).isNotEqualTo("install ok installed");
    // A conffile stays until purge (@AfterAll purges).
    assertThat(Path.of("/etc/soci-snapshotter-grpc/config.toml")).exists();
  }
}
