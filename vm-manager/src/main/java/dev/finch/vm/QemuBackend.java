package dev.finch.vm;

import dev.finch.config.FinchConfig;
import dev.finch.config.GuestProvisioning;
import dev.finch.config.HostFacts;
import dev.finch.process.CommandFailedException;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;
import dev.finch.process.Log;
import dev.finch.process.Tty;
import dev.finch.vm.lima.LimaYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The QEMU backend for Linux hosts ({@code vmType: qemu}): finch boots the guest image that {@code
 * make guest-image} builds from Debian packages with {@code qemu-system-x86_64} directly, the way
 * Lima would, and provisions it with the same {@link GuestProvisioning} script through a cloud-init
 * NoCloud seed. Everything lives under the install directory's {@code qemu/}:
 *
 * <pre>
 * qemu/finch/      root.qcow2 (overlay on the image), seed.iso, id_ed25519, ssh.port, qemu.pid,
 *                  console.log, guest-engine; deleted by {@code vm remove}
 * qemu/_disks/finch/datadisk.raw   the persistent data disk (images, snapshots); survives remove
 * qemu/accel       kvm or tcg, decided once by booting the kernel under KVM
 * </pre>
 *
 * <p>The guest's SSH port is forwarded to 127.0.0.1 only, and every guest command runs as {@code
 * ssh root@127.0.0.1 -p PORT -- 'argv'}, as {@code limactl shell} does. The bundle directory is
 * shared read-only over 9p, the data disk is a second virtio disk. States, messages and exit codes
 * come from {@link VmLifecycle}, as for Lima.
 *
 * @param layout the install directory
 * @param host the host's facts (environment for {@code FINCH_QEMU_ACCEL}, {@code FINCH_QEMU})
 * @param runner runs the KVM probe and the waits
 * @param log progress of boot and provisioning
 */
public record QemuBackend(InstallLayout layout, HostFacts host, CommandRunner runner, Log log)
    implements VmBackend {
  /** The 9p mount tag of the guest bundle directory. */
  static final String BUNDLE_TAG = "finch-guest";

  /** Bounds of the waits; TCG boots in ~22 s and provisions in ~40 s on 2 cores. */
  static final int BOOT_TIMEOUT_SEC = 300;

  static final int PROVISION_TIMEOUT_SEC = 900;
  static final int STOP_TIMEOUT_SEC = 120;

  /** Where the first-boot stub puts its markers and log in the guest. */
  static final String PROVISIONED = "/run/finch/provisioned";

  static final String PROVISION_FAILED = "/run/finch/provision-failed";
  static final String PROVISION_LOG = "/var/log/finch-provision.log";

  Path vmDir() {
    return layout.root().resolve("qemu").resolve(INSTANCE);
  }

  Path dataDisk() {
    return layout
        .root()
        .resolve("qemu")
        .resolve("_disks")
        .resolve(INSTANCE)
        .resolve("datadisk.raw");
  }

  Path key() {
    return vmDir().resolve("id_ed25519");
  }

  private Path pidFile() {
    return vmDir().resolve("qemu.pid");
  }

  private String qemu() {
    return host.env().getOrDefault("FINCH_QEMU", "qemu-system-x86_64");
  }

  @Override
  public CommandSpec statusCommand() {
    // Running only if the PID in qemu.pid is a QEMU on our overlay (a stale PID file is Stopped).
    return CommandSpec.of(
        "sh",
        "-c",
        """
        d=$1
        [ -e "$d/root.qcow2" ] || { echo Nonexistent; exit 0; }
        pid=$(cat "$d/qemu.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && tr '\\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$d/root.qcow2"; then
          echo Running
        else
          echo Stopped
        fi
        """,
        "finch-qemu-status",
        vmDir().toString());
  }

  @Override
  public VmStatus parseStatus(CommandResult probe) {
    return switch (probe.out().strip()) {
      case "Running" -> VmStatus.RUNNING;
      case "Stopped" -> VmStatus.STOPPED;
      case "Nonexistent" -> VmStatus.NONEXISTENT;
      default -> VmStatus.UNKNOWN;
    };
  }

  @Override
  public String rawStatus(CommandResult probe) {
    return probe.out().strip() + probe.err().strip();
  }

  @Override
  public List<CommandSpec> initCommands(FinchConfig config) throws IOException {
    GuestImage image = GuestImage.in(layout.guestImageDir());
    Files.createDirectories(vmDir());
    if (!Files.exists(key())) {
      // now, not as a step: the seed written below carries its public half
      CommandResult k =
          run(
              CommandSpec.of(
                  "ssh-keygen",
                  "-q",
                  "-t",
                  "ed25519",
                  "-N",
                  "",
                  "-C",
                  "finch-vm",
                  "-f",
                  key().toString()));
      if (!k.ok()) {
        throw new IOException("cannot create the VM's SSH key with ssh-keygen: " + k.err().strip());
      }
    }
    List<CommandSpec> steps = new ArrayList<>();
    steps.add(
        CommandSpec.of(
            "qemu-img",
            "create",
            "-q",
            "-f",
            "qcow2",
            "-F",
            "raw",
            "-b",
            image.disk().toString(),
            vmDir().resolve("root.qcow2").toString()));
    steps.addAll(bootSteps(config, image));
    return steps;
  }

  @Override
  public List<CommandSpec> startCommands(FinchConfig config) throws IOException {
    return bootSteps(config, GuestImage.in(layout.guestImageDir()));
  }

  /** Data disk (once), the seed with this start's provisioning, then QEMU. */
  private List<CommandSpec> bootSteps(FinchConfig config, GuestImage image) throws IOException {
    List<CommandSpec> steps = new ArrayList<>();
    if (!Files.exists(dataDisk())) {
      Files.createDirectories(dataDisk().getParent());
      long bytes = config.datadisk().bytes();
      steps.add(
          CommandSpec.of(
              "qemu-img",
              "create",
              "-q",
              "-f",
              "raw",
              dataDisk().toString(),
              Long.toString(bytes)));
    }
    steps.add(seedCommand(config));
    steps.add(CommandSpec.of(qemuArgv(config, image, freePort())));
    return steps;
  }

  /**
   * Writes the NoCloud seed's files (user-data, meta-data and this start's provisioning script) and
   * returns the command that packs them into seed.iso. cloud-init authorises the VM's key for root
   * and installs a per-boot hook that runs the provisioning from the seed on every boot, as Lima's
   * boot scripts do; the hook mounts the bundle share and the data disk first.
   */
  CommandSpec seedCommand(FinchConfig config) throws IOException {
    Path seed = vmDir().resolve("seed");
    Files.createDirectories(seed);
    String pub =
        Files.exists(key().resolveSibling("id_ed25519.pub"))
            ? Files.readString(key().resolveSibling("id_ed25519.pub")).strip()
            : "";
    Files.writeString(seed.resolve("meta-data"), "instance-id: finch\nlocal-hostname: finch\n");
    Files.writeString(seed.resolve("user-data"), userData(pub));
    Files.writeString(
        seed.resolve("provision.sh"),
        new GuestProvisioning(config, LimaYaml.GUEST_BUNDLE_MOUNT, LimaYaml.DATA_DIR)
            .scriptWithPrelude(mountPrelude(config)));
    return CommandSpec.of(
        "genisoimage",
        "-quiet",
        "-output",
        vmDir().resolve("seed.iso").toString(),
        "-volid",
        "cidata",
        "-joliet",
        "-rock",
        seed.resolve("user-data").toString(),
        seed.resolve("meta-data").toString(),
        seed.resolve("provision.sh").toString());
  }

  /** cloud-config: root's key, and the per-boot hook (cloud-init's scripts-per-boot). */
  static String userData(String publicKey) {
    return """
        #cloud-config
        # (no ssh_pwauth: cloud-init would restart sshd after it first answered; the image's sshd
        # config already refuses passwords)
        disable_root: false
        users:
          - name: root
            ssh_authorized_keys:
              - %1$s
        write_files:
          - path: /var/lib/cloud/scripts/per-boot/00-finch-provision.sh
            permissions: '0755'
            content: |
              #!/bin/sh
              # finch: provisions this guest on every boot from the seed's provision.sh
              mkdir -p /run/finch /mnt/finch-seed
              rm -f %2$s %3$s
              mountpoint -q /mnt/finch-seed || mount -o ro "$(blkid -L cidata || echo /dev/sr0)" /mnt/finch-seed
              cp /mnt/finch-seed/provision.sh /run/finch/provision.sh
              umount /mnt/finch-seed || true
              if bash /run/finch/provision.sh > %4$s 2>&1; then touch %2$s; else touch %3$s; fi
        """
        .formatted(publicKey, PROVISIONED, PROVISION_FAILED, PROVISION_LOG);
  }

  /** The QEMU guest's own mounts: the bundle over 9p, the data disk (formatted on first use). */
  static String mountPrelude(FinchConfig config) {
    return """
        echo "%5$smounts"
        modprobe -q 9pnet_virtio 2>/dev/null || true
        mkdir -p %1$s %2$s
        mountpoint -q %1$s || mount -t 9p -o trans=virtio,version=9p2000.L,ro %3$s %1$s
        if [ -b /dev/vdb ]; then
          blkid /dev/vdb >/dev/null 2>&1 || mkfs.ext4 -q -L finch-data /dev/vdb
          mountpoint -q %2$s || mount /dev/vdb %2$s
        fi
        grep -qs '^CONTAINERD_SNAPSHOTTER=%4$s$' /etc/environment || {
          sed -i '/^CONTAINERD_SNAPSHOTTER=/d' /etc/environment 2>/dev/null || true
          echo 'CONTAINERD_SNAPSHOTTER=%4$s' >> /etc/environment
        }
        """
        .formatted(
            LimaYaml.GUEST_BUNDLE_MOUNT,
            LimaYaml.DATA_DIR,
            BUNDLE_TAG,
            config.defaultSnapshotter(),
            GuestProvisioning.STEP_PREFIX);
  }

  /** The QEMU command line; the SSH port goes to ssh.port for {@link #command}. */
  List<String> qemuArgv(FinchConfig config, GuestImage image, int sshPort) throws IOException {
    Files.writeString(vmDir().resolve("ssh.port"), Integer.toString(sshPort));
    long memMiB = config.memory().bytes() >> 20;
    boolean kvm = accel().equals("kvm");
    List<String> a =
        new ArrayList<>(
            List.of(
                qemu(),
                "-name",
                INSTANCE,
                "-accel",
                kvm ? "kvm" : "tcg,thread=multi",
                "-cpu",
                kvm ? "host" : "max",
                "-m",
                Long.toString(memMiB),
                "-smp",
                Integer.toString(config.cpus()),
                "-kernel",
                image.kernel().toString(),
                "-initrd",
                image.initrd().toString(),
                "-append",
                LimaYaml.KERNEL_CMDLINE,
                "-drive",
                "file=" + vmDir().resolve("root.qcow2") + ",format=qcow2,if=virtio",
                "-drive",
                "file=" + dataDisk() + ",format=raw,if=virtio",
                "-drive",
                "file=" + vmDir().resolve("seed.iso") + ",media=cdrom,readonly=on",
                "-netdev",
                "user,id=n0,hostfwd=tcp:127.0.0.1:" + sshPort + "-:22",
                "-device",
                "virtio-net-pci,netdev=n0",
                "-virtfs",
                "local,path="
                    + layout.guestBundleDir()
                    + ",mount_tag="
                    + BUNDLE_TAG
                    + ",security_model=none,readonly=on",
                "-display",
                "none",
                "-serial",
                "file:" + vmDir().resolve("console.log"),
                "-daemonize",
                "-pidfile",
                pidFile().toString()));
    return a;
  }

  /**
   * {@code kvm} when the host's KVM really boots the guest kernel, else {@code tcg}; {@code
   * FINCH_QEMU_ACCEL} overrides. A {@code /dev/kvm} that exists is not enough (a nested one may run
   * only special guest kernels), so the kernel is booted under KVM once for up to 10 s and must
   * print its banner; the answer is kept in {@code qemu/accel}.
   */
  String accel() throws IOException {
    String forced = host.env().getOrDefault("FINCH_QEMU_ACCEL", "");
    if (forced.equals("kvm") || forced.equals("tcg")) {
      return forced;
    }
    Path cached = layout.root().resolve("qemu").resolve("accel");
    if (Files.exists(cached)) {
      String v = Files.readString(cached).strip();
      if (v.equals("kvm") || v.equals("tcg")) {
        return v;
      }
    }
    String result = probeKvm() ? "kvm" : "tcg";
    Files.createDirectories(cached.getParent());
    Files.writeString(cached, result + "\n");
    log.info(
        "QEMU accelerator: "
            + result
            + (result.equals("tcg")
                ? " (software emulation; KVM did not boot the guest kernel here)"
                : ""));
    return result;
  }

  private boolean probeKvm() throws IOException {
    Path dev = Path.of("/dev/kvm");
    if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
      return false;
    }
    GuestImage image = GuestImage.in(layout.guestImageDir());
    Path dir = Files.createTempDirectory("finch-kvm-probe");
    try {
      Path console = dir.resolve("console.log");
      CommandResult r =
          run(
              CommandSpec.of(
                  qemu(),
                  "-accel",
                  "kvm",
                  "-cpu",
                  "host",
                  "-m",
                  "256",
                  "-smp",
                  "1",
                  "-kernel",
                  image.kernel().toString(),
                  "-append",
                  "console=ttyS0 panic=-1",
                  "-no-reboot",
                  "-display",
                  "none",
                  "-serial",
                  "file:" + console,
                  "-daemonize",
                  "-pidfile",
                  dir.resolve("pid").toString()));
      if (!r.ok()) {
        return false;
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      boolean banner = false;
      while (System.nanoTime() < deadline && !banner) {
        banner =
            Files.exists(console)
                && Files.readString(console, StandardCharsets.ISO_8859_1).contains("Linux version");
        sleep(200);
      }
      run(killCommand(dir.resolve("pid")));
      return banner;
    } finally {
      run(CommandSpec.of("rm", "-rf", dir.toString()));
    }
  }

  @Override
  public void awaitRunning() throws VmException {
    long start = System.nanoTime();
    log.info(
        "Booting the guest (QEMU, "
            + accelQuietly()
            + "); waiting for SSH on 127.0.0.1:"
            + sshPort()
            + "...");
    long bootDeadline = start + BOOT_TIMEOUT_SEC * 1_000_000_000L;
    while (true) {
      if (!qemuAlive()) {
        throw new VmException(
            "QEMU exited while the guest booted; console log ("
                + vmDir().resolve("console.log")
                + "):\n"
                + tail(vmDir().resolve("console.log"), 20));
      }
      if (ssh("true").ok()) {
        break;
      }
      if (System.nanoTime() > bootDeadline) {
        throw new VmException(
            "the guest did not answer SSH within "
                + BOOT_TIMEOUT_SEC
                + " s; console log ("
                + vmDir().resolve("console.log")
                + "):\n"
                + tail(vmDir().resolve("console.log"), 20));
      }
      sleep(1000);
    }
    log.info(
        "Guest booted in "
            + secs(start)
            + " s; provisioning (containerd, the soci snapshotter)...");
    long provDeadline = System.nanoTime() + PROVISION_TIMEOUT_SEC * 1_000_000_000L;
    List<String> steps = provisioningSteps();
    String lastStep = "";
    while (true) {
      CommandResult r =
          ssh(
              "if [ -e "
                  + PROVISIONED
                  + " ]; then echo DONE; elif [ -e "
                  + PROVISION_FAILED
                  + " ]; then echo FAILED; fi; grep '^"
                  + GuestProvisioning.STEP_PREFIX
                  + "' "
                  + PROVISION_LOG
                  + " 2>/dev/null | tail -n 1");
      String out = r.out();
      String step =
          out.lines()
              .filter(l -> l.startsWith(GuestProvisioning.STEP_PREFIX))
              .reduce((a, b) -> b)
              .orElse("");
      if (!step.isEmpty() && !step.equals(lastStep)) {
        String name = step.substring(GuestProvisioning.STEP_PREFIX.length());
        int done = steps.indexOf(name);
        if (done >= 0) {
          log.progress("provisioning", name, done, steps.size() - 1);
        } else {
          log.info("  " + name);
        }
        lastStep = step;
      }
      if (out.contains("DONE")) {
        break;
      }
      if (out.contains("FAILED")) {
        throw new VmException(
            "provisioning the guest failed:\n"
                + ssh("tail -n 25 " + PROVISION_LOG).out().stripTrailing()
                + "\nrerun it in the guest with: ssh -i "
                + key()
                + " -p "
                + sshPort()
                + " root@127.0.0.1 bash /run/finch/provision.sh");
      }
      if (System.nanoTime() > provDeadline) {
        throw new VmException(
            "provisioning did not finish within "
                + PROVISION_TIMEOUT_SEC
                + " s; its log:\n"
                + ssh("tail -n 25 " + PROVISION_LOG).out().stripTrailing());
      }
      sleep(2000);
    }
    boolean nerdctl = ssh("command -v nerdctl").ok();
    try {
      Files.writeString(vmDir().resolve("guest-engine"), nerdctl ? "nerdctl\n" : "ctr\n");
    } catch (IOException e) {
      throw new VmException(
          "cannot write " + vmDir().resolve("guest-engine") + ": " + e.getMessage(), e);
    }
    log.info(
        "Guest ready in "
            + secs(start)
            + " s (engine: "
            + (nerdctl ? "nerdctl" : "ctr + soci")
            + ")");
  }

  /** The steps of the seed's provisioning script; the last, {@code done}, ends it. */
  List<String> provisioningSteps() {
    try {
      return GuestProvisioning.steps(
          Files.readString(vmDir().resolve("seed").resolve("provision.sh")));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Whether provisioning found nerdctl in the guest (else finch drives ctr and soci there). */
  public boolean guestHasNerdctl() {
    try {
      return Files.readString(vmDir().resolve("guest-engine")).strip().equals("nerdctl");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public List<CommandSpec> stopCommands(boolean force) {
    if (force) {
      return List.of(killCommand(pidFile()));
    }
    return List.of(sshSpec(List.of("systemctl", "poweroff", "--no-block")));
  }

  @Override
  public void awaitStopped() throws VmException {
    long deadline = System.nanoTime() + STOP_TIMEOUT_SEC * 1_000_000_000L;
    while (qemuAlive()) {
      if (System.nanoTime() > deadline) {
        log.warn("the guest did not power off within " + STOP_TIMEOUT_SEC + " s; stopping QEMU");
        run(killCommand(pidFile()));
        break;
      }
      sleep(500);
    }
  }

  /** SIGKILL to the QEMU whose PID is in {@code pidFile}, if it still runs; the file goes too. */
  private static CommandSpec killCommand(Path pidFile) {
    return CommandSpec.of(
        "sh",
        "-c",
        "p=$(cat \"$1\" 2>/dev/null) && [ -n \"$p\" ] && kill -KILL \"$p\" 2>/dev/null; rm -f \"$1\"; exit 0",
        "finch-qemu-kill",
        pidFile.toString());
  }

  @Override
  public List<CommandSpec> removeCommands(boolean force) {
    List<CommandSpec> steps = new ArrayList<>();
    if (force) {
      steps.add(killCommand(pidFile()));
    }
    steps.add(CommandSpec.of("rm", "-rf", vmDir().toString()));
    return steps;
  }

  @Override
  public Optional<CommandSpec> diskInfoCommand() {
    return Optional.of(CommandSpec.of("qemu-img", "info", dataDisk().toString()));
  }

  @Override
  public Path appliedSettingsFile() {
    return layout.root().resolve("qemu").resolve("_finch").resolve("applied-settings");
  }

  /**
   * {@code ssh ... root@127.0.0.1 -- 'K=V' ... 'argv'}: the guest runs it as root, like {@code sudo
   * -E}.
   */
  @Override
  public CommandSpec command(List<String> guestArgv, Map<String, String> guestEnv, Path hostCwd) {
    List<String> remote = new ArrayList<>();
    if (!guestEnv.isEmpty()) {
      remote.add("env");
      guestEnv.forEach((k, v) -> remote.add(k + "=" + v));
    }
    remote.addAll(guestArgv);
    return sshSpec(remote, Tty.attached()).interactive();
  }

  private CommandSpec sshSpec(List<String> remote) {
    return sshSpec(remote, false);
  }

  private CommandSpec sshSpec(List<String> remote, boolean tty) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "ssh",
                "-i",
                key().toString(),
                "-p",
                Integer.toString(sshPort()),
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "BatchMode=yes",
                "-o",
                "ConnectTimeout=10",
                tty ? "-t" : "-T",
                "root@127.0.0.1",
                "--"));
    StringBuilder line = new StringBuilder();
    for (String r : remote) {
      line.append(line.isEmpty() ? "" : " ").append(shellQuote(r));
    }
    a.add(line.toString());
    return CommandSpec.of(a);
  }

  /** A guest shell line over SSH, captured. */
  private CommandResult ssh(String shellLine) {
    List<String> a = new ArrayList<>(sshSpec(List.of()).argv());
    a.set(a.size() - 1, shellLine);
    return run(CommandSpec.of(a));
  }

  static String shellQuote(String s) {
    if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./-]+")) {
      return s;
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }

  int sshPort() {
    try {
      return Integer.parseInt(Files.readString(vmDir().resolve("ssh.port")).strip());
    } catch (IOException | NumberFormatException e) {
      return 22;
    }
  }

  private boolean qemuAlive() {
    return parseStatus(run(statusCommand())) == VmStatus.RUNNING;
  }

  private CommandResult run(CommandSpec spec) {
    try {
      return runner.run(spec);
    } catch (CommandFailedException e) {
      return new CommandResult(127, "", e.getMessage());
    }
  }

  private String accelQuietly() {
    try {
      return accel().equals("kvm") ? "KVM" : "TCG software emulation";
    } catch (IOException e) {
      return "TCG";
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1 for the guest's SSH", e);
    }
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no " + file + ")";
    }
  }

  private static long secs(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1e9);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The three files {@code make guest-image} writes, as QEMU boots them. */
  record GuestImage(Path disk, Path kernel, Path initrd) {
    static GuestImage in(Path dir) throws IOException {
      GuestImage g =
          new GuestImage(
              dir.resolve("disk.raw"), dir.resolve("vmlinuz"), dir.resolve("initrd.img"));
      for (Path p : List.of(g.disk, g.kernel, g.initrd)) {
        if (!Files.isRegularFile(p)) {
          throw new IOException(
              "no guest image at "
                  + dir
                  + " ("
                  + p.getFileName()
                  + " missing); build it with"
                  + " `make guest-image` and link its output directory there");
        }
      }
      return g;
    }
  }
}
