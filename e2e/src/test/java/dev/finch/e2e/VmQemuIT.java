package dev.finch.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
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
 * The finch VM for real: {@code vmType: qemu} on this Linux host boots the guest image that {@code
 * make guest-image} built from Debian packages (under TCG here, KVM where it works), provisions it
 * offline from the guest bundle of {@code make guest}, and every container command runs in it over
 * SSH. A registry on the host's 127.0.0.1 is the guest's 10.0.2.2.
 *
 * <p>The install tree is the test's own ({@code FINCH_INSTALL_DIR}): bin, guest and the image are
 * links to the checkout's build, the VM's state is under it, and QEMU is stopped by the PID in its
 * pid file whatever happens. Prints {@code VM-BENCH} lines (scripts/bench-vm takes medians).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VmQemuIT {
  static final int FILES = 64;
  static final int FILE_SIZE = 1 << 20;
  @TempDir static Path work;
  static Path install;
  static Path finchDir;
  static RegistryFixture registry;
  static OciImage image;
  static String guestRef;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    Path build = Launchers.repoRoot().resolve("build");
    assertThat(build.resolve("guest/finch-guest.tar.gz")).as("run `make guest` first").exists();
    assertThat(build.resolve("os/guest-image/disk.raw"))
        .as("run `make guest-image` first")
        .exists();
    install = Files.createDirectories(work.resolve("install"));
    Files.createDirectories(install.resolve("os"));
    Files.createSymbolicLink(install.resolve("bin"), build.resolve("bin"));
    Files.createSymbolicLink(install.resolve("guest"), build.resolve("guest"));
    Files.createSymbolicLink(
        install.resolve("os/guest-image"), build.resolve("os/guest-image").toRealPath());
    finchDir = Files.createDirectories(work.resolve("finch"));
    Files.writeString(
        finchDir.resolve("finch.yaml"),
        "vmType: qemu\nsnapshotters: [soci]\ncpus: 2\nmemory: 2GiB\n");
    registry = RegistryFixture.builder().build().start();
    TarLayer.Builder data = TarLayer.builder().dir("data");
    for (int i = 0; i < FILES; i++) {
      data.randomFile(String.format("data/file%02d.bin", i), FILE_SIZE, 300 + i);
    }
    image = TestImages.busybox(work.resolve("layout"), "vm", "v1", data.build());
    TestImages.push(image, registry.hostPort(), "it/vm", "v1");
    guestRef = "10.0.2.2:" + registry.port() + "/it/vm:v1";
  }

  @AfterAll
  static void stop() throws Exception {
    if (install != null) {
      Path pid = install.resolve("qemu/finch/qemu.pid");
      if (Files.exists(pid)) {
        ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
            .ifPresent(
                p -> {
                  p.destroyForcibly();
                  p.onExit()
                      .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS)
                      .exceptionally(x -> null)
                      .join();
                });
      }
    }
    if (registry != null) {
      registry.close();
    }
  }

  static ContainerdProcess.Result finch(Duration limit, String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "env",
                "FINCH_DIR=" + finchDir,
                "FINCH_INSTALL_DIR=" + install,
                Launchers.repoRoot().resolve("build/bin/finch").toString()));
    argv.addAll(List.of(args));
    return ContainerdProcess.run(argv, limit);
  }

  static ContainerdProcess.Result finch(String... args) {
    return finch(Duration.ofMinutes(5), args);
  }

  /** A shell line in the guest, as root, over the VM's own SSH key and port. */
  static ContainerdProcess.Result guest(String line) throws Exception {
    Path vm = install.resolve("qemu/finch");
    return ContainerdProcess.run(
        List.of(
            "ssh",
            "-i",
            vm.resolve("id_ed25519").toString(),
            "-p",
            Files.readString(vm.resolve("ssh.port")).strip(),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "BatchMode=yes",
            "root@127.0.0.1",
            line),
        Duration.ofMinutes(5));
  }

  static String status() {
    return finch("vm", "status").stdout().strip();
  }

  static String sha256Of(int i) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(TarLayer.randomBytes(300 + i, FILE_SIZE)));
  }

  @Test
  @Order(1)
  void initBootsAndProvisionsTheGuest() throws Exception {
    assertThat(status()).isEqualTo("Nonexistent");
    long t = System.nanoTime();
    ContainerdProcess.Result init = finch(Duration.ofMinutes(15), "vm", "init");
    double secs = (System.nanoTime() - t) / 1e9;
    assertThat(init.exitCode()).as(init.output()).isZero();
    System.out.printf("VM-BENCH init_s %.1f%n", secs);
    assertThat(init.stderr())
        .contains("Booting the guest", "Guest booted in", "provisioning", "Guest ready in");
    assertThat(status()).isEqualTo("Running");
    assertThat(guest("systemctl is-active containerd soci-snapshotter").stdout())
        .isEqualTo("active\nactive\n");
    assertThat(guest("readlink /usr/local/bin/soci").stdout().strip())
        .isEqualTo("/usr/lib/finch-guest/bin/soci");
  }

  @Test
  @Order(2)
  void pushWithSociThenALazyPullAndRunInTheVm() throws Exception {
    // The registry speaks plain http (the daemon assumes https except on loopback): a user says so
    // in
    // the daemon's config, which provisioning then leaves alone.
    String hostPort = "10.0.2.2:" + registry.port();
    ContainerdProcess.Result cfg =
        guest(
            "printf '\\n[resolver.host.\"%1$s\"]\\n  mirrors = [{host = \"%1$s\", insecure = true}]\\n'"
                    .formatted(hostPort)
                + " >> /etc/soci-snapshotter-grpc/config.toml && systemctl restart soci-snapshotter");
    assertThat(cfg.exitCode()).as(cfg.output()).isZero();
    long tp = System.nanoTime();
    ContainerdProcess.Result plainPull =
        finch("--insecure-registry", "pull", "--snapshotter", "overlayfs", guestRef);
    assertThat(plainPull.exitCode()).as(plainPull.output()).isZero();
    double plainPullSecs = (System.nanoTime() - tp) / 1e9;
    tp = System.nanoTime();
    ContainerdProcess.Result plain =
        finch(
            "run", "--rm", "--snapshotter", "overlayfs", guestRef, "sha256sum", "/data/file03.bin");
    double plainRun = (System.nanoTime() - tp) / 1e9;
    assertThat(plain.exitCode()).as(plain.output()).isZero();
    assertThat(plain.stdout()).contains(sha256Of(3));

    ContainerdProcess.Result push =
        finch(
            Duration.ofMinutes(10),
            "--insecure-registry",
            "push",
            "--snapshotter",
            "soci",
            "--soci-min-layer-size",
            "1000000",
            "--soci-span-size",
            "1048576",
            guestRef);
    assertThat(push.exitCode()).as(push.output()).isZero();
    assertThat(push.output()).contains("-> ztoc sha256:");
    assertThat(finch("rmi", guestRef).exitCode()).isZero();

    String dataLayer = image.single().layers().get(1).blob().digest();
    long layerSize = image.single().layers().get(1).blob().size();
    long imageBytes = image.single().layers().stream().mapToLong(l -> l.blob().size()).sum();
    long before = registry.blobBytesServed(dataLayer.substring(7));
    long beforeAll = registry.blobBytesServed();
    long t = System.nanoTime();
    ContainerdProcess.Result pull = finch("--insecure-registry", "pull", guestRef);
    assertThat(pull.exitCode()).as(pull.output()).isZero();
    ContainerdProcess.Result run = finch("run", "--rm", guestRef, "sha256sum", "/data/file07.bin");
    double lazy = (System.nanoTime() - t) / 1e9;
    assertThat(run.exitCode())
        .as(run.output() + guest("journalctl -u soci-snapshotter --no-pager | tail -n 30").stdout())
        .isZero();
    assertThat(run.stdout()).contains(sha256Of(7));
    long served = registry.blobBytesServed(dataLayer.substring(7)) - before;
    // everything the registry served for the lazy pull and run: index, zTOCs, both layers' spans
    long servedAll = registry.blobBytesServed() - beforeAll;
    System.out.printf(
        "VM-BENCH lazy_pull_run_s %.1f%nVM-BENCH plain_pull_run_s %.1f%nVM-BENCH plain_run_s %.1f%n"
            + "VM-BENCH lazy_served_bytes %d of %d%nVM-BENCH lazy_served_all_bytes %d of %d%n",
        lazy, plainPullSecs + plainRun, plainRun, served, layerSize, servedAll, imageBytes);
    assertThat(servedAll)
        .as(
            "blob bytes the registry served for the lazy pull and run of a %d-byte image",
            imageBytes)
        .isPositive()
        .isLessThan(imageBytes / 5);
    assertThat(guest("journalctl -u soci-snapshotter --no-pager").stdout())
        .contains("remote-snapshot-prepared");
    assertThat(guest("grep -c fuse /proc/mounts").stdout().strip()).isNotEqualTo("0");
    String rss =
        guest(
                "grep -E 'VmRSS|VmHWM' /proc/$(systemctl show -p MainPID --value soci-snapshotter)/status")
            .stdout();
    System.out.println("VM-BENCH daemon " + rss.replaceAll("\\s+", " ").strip());
  }

  /** Whether PID is a live process: not gone, and not a zombie that nobody has reaped yet. */
  static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  @Order(3)
  void provisioningAgainChangesNothingAndNeedsNoInternet() throws Exception {
    // no default route: only the host (10.0.2.2, on the link) stays reachable
    ContainerdProcess.Result again =
        guest(
            "touch /run/finch/mark && sleep 1 && ip route del default"
                + " && (bash /run/finch/provision.sh > /run/finch/again.log 2>&1; echo rc=$?); ip route add default via 10.0.2.2;"
                + " find /etc /usr/local /var/lib/soci-snapshotter-grpc/snapshotter -xdev -newer /run/finch/mark -type f"
                + " ! -path '/etc/machine-id' 2>/dev/null | head -n 20");
    assertThat(again.stdout())
        .as(again.output() + guest("tail -n 20 /run/finch/again.log").stdout())
        .startsWith("rc=0\n");
    assertThat(again.stdout().lines().skip(1).toList())
        .as("files the second provisioning changed")
        .isEmpty();
    assertThat(guest("systemctl is-active soci-snapshotter").stdout().strip()).isEqualTo("active");
  }

  @Test
  @Order(4)
  void stopAndStartKeepTheImageOnTheDataDisk() throws Exception {
    assertThat(finch("vm", "stop").exitCode()).isZero();
    assertThat(status()).isEqualTo("Stopped");
    long t = System.nanoTime();
    ContainerdProcess.Result start = finch(Duration.ofMinutes(15), "vm", "start");
    System.out.printf("VM-BENCH start_s %.1f%n", (System.nanoTime() - t) / 1e9);
    assertThat(start.exitCode()).as(start.output()).isZero();
    assertThat(finch("images").stdout()).contains("it/vm");
    ContainerdProcess.Result run = finch("run", "--rm", guestRef, "sha256sum", "/data/file11.bin");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.stdout()).contains(sha256Of(11));
  }

  @Test
  @Order(5)
  void removeLeavesNoProcessAndNoMount() throws Exception {
    Path vm = install.resolve("qemu/finch");
    long pid = Long.parseLong(Files.readString(vm.resolve("qemu.pid")).strip());
    assertThat(finch("vm", "stop").exitCode()).isZero();
    assertThat(finch("vm", "remove").exitCode()).isZero();
    assertThat(status()).isEqualTo("Nonexistent");
    assertThat(alive(pid)).as("QEMU (pid %d) after remove", pid).isFalse();
    assertThat(vm).doesNotExist();
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(work.toString());
    assertThat(install.resolve("qemu/_disks/finch/datadisk.raw"))
        .as("the data disk outlives remove")
        .exists();
  }
}
