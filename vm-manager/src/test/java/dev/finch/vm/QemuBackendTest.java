package dev.finch.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.config.FinchConfig;
import dev.finch.config.HostFacts;
import dev.finch.config.HostOs;
import dev.finch.process.CommandSpec;
import dev.finch.process.ProcessCommandRunner;
import dev.finch.process.RecordingLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the QEMU backend hands to QEMU, SSH and cloud-init, checked without booting (VmQemuIT in e2e
 * boots it for real): the QEMU argv, the status probe against real and stale PID files, the seed,
 * the SSH command line and its quoting, and the errors for a missing image.
 */
class QemuBackendTest {
  static final HostFacts LINUX =
      new HostFacts(
          HostOs.LINUX,
          "x86_64",
          2,
          24L << 30,
          0,
          Path.of("/root"),
          Map.of("FINCH_QEMU_ACCEL", "tcg"));
  static final FinchConfig CONFIG =
      FinchConfig.builder().memory("2GiB").vmType("qemu").snapshotters(List.of("soci")).build();

  @TempDir Path install;
  QemuBackend qemu;

  @BeforeEach
  void setUp() throws IOException {
    qemu =
        new QemuBackend(
            new InstallLayout(install), LINUX, new ProcessCommandRunner(), new RecordingLog());
    Path img = Files.createDirectories(install.resolve("os/guest-image"));
    for (String f : List.of("disk.raw", "vmlinuz", "initrd.img")) {
      Files.writeString(img.resolve(f), "x");
    }
  }

  @Test
  void qemuBootsTheImageWithKernelSeedDataDiskShareAndLoopbackSsh() throws Exception {
    Files.createDirectories(qemu.vmDir());
    List<String> argv =
        qemu.qemuArgv(CONFIG, QemuBackend.GuestImage.in(install.resolve("os/guest-image")), 40022);
    String vm = qemu.vmDir().toString();
    assertThat(argv)
        .containsExactly(
            "qemu-system-x86_64",
            "-name",
            "finch",
            "-accel",
            "tcg,thread=multi",
            "-cpu",
            "max",
            "-m",
            "2048",
            "-smp",
            "2",
            "-kernel",
            install + "/os/guest-image/vmlinuz",
            "-initrd",
            install + "/os/guest-image/initrd.img",
            "-append",
            "root=/dev/vda rw console=ttyS0",
            "-drive",
            "file=" + vm + "/root.qcow2,format=qcow2,if=virtio",
            "-drive",
            "file=" + install + "/qemu/_disks/finch/datadisk.raw,format=raw,if=virtio",
            "-drive",
            "file=" + vm + "/seed.iso,media=cdrom,readonly=on",
            "-netdev",
            "user,id=n0,hostfwd=tcp:127.0.0.1:40022-:22",
            "-device",
            "virtio-net-pci,netdev=n0",
            "-virtfs",
            "local,path="
                + install
                + "/guest,mount_tag=finch-guest,security_model=none,readonly=on",
            "-display",
            "none",
            "-serial",
            "file:" + vm + "/console.log",
            "-daemonize",
            "-pidfile",
            vm + "/qemu.pid");
    assertThat(Files.readString(qemu.vmDir().resolve("ssh.port"))).isEqualTo("40022");
  }

  @Test
  void statusIsRunningOnlyForAQemuOnOurOverlay() throws Exception {
    ProcessCommandRunner runner = new ProcessCommandRunner();
    assertThat(qemu.parseStatus(runner.run(qemu.statusCommand()))).isEqualTo(VmStatus.NONEXISTENT);
    Files.createDirectories(qemu.vmDir());
    Files.writeString(qemu.vmDir().resolve("root.qcow2"), "");
    assertThat(qemu.parseStatus(runner.run(qemu.statusCommand()))).isEqualTo(VmStatus.STOPPED);
    // a live process that is not our QEMU (this JVM) is a stale PID file: Stopped
    Files.writeString(qemu.vmDir().resolve("qemu.pid"), ProcessHandle.current().pid() + "\n");
    assertThat(qemu.parseStatus(runner.run(qemu.statusCommand()))).isEqualTo(VmStatus.STOPPED);
    // a process whose command line names our overlay is Running
    Process p =
        new ProcessBuilder(
                "sh", "-c", "sleep 30", "x", qemu.vmDir().resolve("root.qcow2").toString())
            .start();
    try {
      Files.writeString(qemu.vmDir().resolve("qemu.pid"), p.pid() + "\n");
      assertThat(qemu.parseStatus(runner.run(qemu.statusCommand()))).isEqualTo(VmStatus.RUNNING);
    } finally {
      p.destroyForcibly().waitFor();
    }
  }

  @Test
  void seedAuthorisesTheKeyAndProvisionsOnEveryBootFromTheSeed() throws Exception {
    Files.createDirectories(qemu.vmDir());
    Files.writeString(qemu.vmDir().resolve("id_ed25519.pub"), "ssh-ed25519 AAAAkey finch-vm\n");
    CommandSpec iso = qemu.seedCommand(CONFIG);
    Path seed = qemu.vmDir().resolve("seed");
    assertThat(iso.argv())
        .containsExactly(
            "genisoimage",
            "-quiet",
            "-output",
            qemu.vmDir() + "/seed.iso",
            "-volid",
            "cidata",
            "-joliet",
            "-rock",
            seed + "/user-data",
            seed + "/meta-data",
            seed + "/provision.sh");
    assertThat(Files.readString(seed.resolve("user-data")))
        .startsWith("#cloud-config\n")
        .contains(
            "disable_root: false",
            "- name: root",
            "      - ssh-ed25519 AAAAkey finch-vm",
            "/var/lib/cloud/scripts/per-boot/00-finch-provision.sh",
            "if bash /run/finch/provision.sh > /var/log/finch-provision.log 2>&1; then touch /run/finch/provisioned;");
    assertThat(Files.readString(seed.resolve("provision.sh")))
        .startsWith("#!/bin/bash\n# finch guest provisioning\necho \"finch-provision: mounts\"\n")
        .contains(
            "mount -t 9p -o trans=virtio,version=9p2000.L,ro finch-guest /mnt/finch-guest",
            "blkid /dev/vdb >/dev/null 2>&1 || mkfs.ext4 -q -L finch-data /dev/vdb",
            "CONTAINERD_SNAPSHOTTER=soci",
            "bundle_dir=/mnt/finch-guest",
            "step \"soci snapshotter\"");
    // what finch vm init's progress line counts
    assertThat(qemu.provisioningSteps())
        .containsExactly(
            "mounts",
            "containerd, runc, nerdctl",
            "guest bundle",
            "data disk",
            "soci snapshotter",
            "containerd",
            "done");
  }

  @Test
  void guestCommandsRunAsRootOverSshWithEachWordQuoted() throws Exception {
    Files.createDirectories(qemu.vmDir());
    Files.writeString(qemu.vmDir().resolve("ssh.port"), "40022");
    CommandSpec c =
        qemu.command(List.of("sh", "-c", "echo it's $HOME"), Map.of("A", "b c"), Path.of("/tmp"));
    assertThat(c.argv()).startsWith("ssh", "-i", qemu.key().toString(), "-p", "40022");
    assertThat(c.argv()).contains("root@127.0.0.1", "--");
    assertThat(c.argv().getLast()).isEqualTo("env 'A=b c' sh -c 'echo it'\\''s $HOME'");
    assertThat(c.stdin()).isInstanceOf(CommandSpec.Stdin.Inherit.class);
    assertThat(QemuBackend.shellQuote("10.0.2.2:5000/it/vm:v1"))
        .isEqualTo("10.0.2.2:5000/it/vm:v1");
    assertThat(QemuBackend.shellQuote("")).isEqualTo("''");
  }

  @Test
  void aMissingImageNamesTheMakeTarget() throws Exception {
    Files.delete(install.resolve("os/guest-image/vmlinuz"));
    assertThatThrownBy(() -> qemu.startCommands(CONFIG))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no guest image at " + install.resolve("os/guest-image"))
        .hasMessageContaining("make guest-image");
  }

  @Test
  void stopPowersOffThroughSshAndForceKillsByThePidFile() {
    assertThat(qemu.stopCommands(false).getFirst().argv().getLast())
        .isEqualTo("systemctl poweroff --no-block");
    assertThat(qemu.stopCommands(true).getFirst().argv())
        .startsWith("sh", "-c")
        .endsWith(qemu.vmDir() + "/qemu.pid");
    assertThat(qemu.removeCommands(false))
        .extracting(CommandSpec::argv)
        .containsExactly(List.of("rm", "-rf", qemu.vmDir().toString()));
  }
}
