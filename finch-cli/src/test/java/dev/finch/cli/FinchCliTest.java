package dev.finch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.cli.main.FinchCli;
import dev.finch.config.HostFacts;
import dev.finch.config.HostOs;
import dev.finch.process.CommandResult;
import dev.finch.process.RecordingRunner;
import dev.finch.vm.InstallLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The whole CLI in-process: rc, stdout and stderr against a recording runner. */
class FinchCliTest {
  @TempDir Path finchDir;
  @TempDir Path install;
  RecordingRunner runner;
  StringWriter out;
  StringWriter err;
  String limactl;

  @BeforeEach
  void setUp() {
    runner = new RecordingRunner();
    out = new StringWriter();
    err = new StringWriter();
    limactl = install.resolve("lima/bin/limactl").toString();
  }

  FinchEnvironment env(HostOs os) {
    HostFacts host =
        new HostFacts(
            os,
            "aarch64",
            8,
            16L << 30,
            os == HostOs.MACOS ? 15 : 0,
            Path.of("/Users/me"),
            Map.of("FINCH_DIR", finchDir.toString(), "PATH", "/usr/bin"));
    return new FinchEnvironment(
        host, runner, new InstallLayout(install), Path.of("/Users/me/src"), "v1.2.3", "abc123");
  }

  int finch(HostOs os, String... args) {
    return new FinchCli(env(os)).run(new PrintWriter(out), new PrintWriter(err), args);
  }

  /** stderr with logrus' elapsed-seconds field pinned, so slow CI machines do not flake. */
  String err() {
    return err.toString().replaceAll("(INFO|WARN|FATA|DEBU)\\[\\d{4}\\]", "$1[0000]");
  }

  void config(String yaml) throws Exception {
    Files.writeString(finchDir.resolve("finch.yaml"), yaml);
  }

  void vmIs(String status) {
    runner.when(List.of("ls", "-f", "{{.Status}}"), new CommandResult(0, status + "\n", ""));
  }

  List<String> shell(String... guest) {
    List<String> a = new ArrayList<>(List.of(limactl, "shell", "finch", "sudo", "-E"));
    a.addAll(List.of(guest));
    return a;
  }

  @ParameterizedTest(name = "{0} with {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      vm status  | 'snapshotters: [soci, zfs]\\n'  | 1: snapshotters[1]: snapshotter "zfs" is not supported; accepted: overlayfs, soci
      images     | 'memory: lots\\n'                | 1: memory: "lots" is not a memory size; accepted: a size greater than 0 such as 4GiB or 512MiB
      vm init    | 'cpus: 0\\n'                     | 1: cpus: specified number of CPUs (0) must be greater than 0; accepted: a whole number from 1 to the host's CPUs
      version    | 'vmType: wsl2\\n'                | 1: vmType: unsupported vm type "wsl2" for macOS; accepted: vz, qemu
      run alpine | 'cpus: 2\\nmemory: [4GiB\\n'     | 3: memory: invalid YAML
      vm stop -f | 'cpus: 2\\n  bad: indent\\n'     | 2: bad: invalid YAML
      --version  | 'cpus: 0\\n'                     | 1: cpus: specified number
      """)
  void badConfigIsOneLineAndExit1ForEveryCommand(String command, String yaml, String expected)
      throws Exception {
    config(yaml.replace("\\n", "\n"));
    int rc = finch(HostOs.MACOS, command.split(" "));
    assertThat(rc).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    assertThat(err())
        .startsWith(
            "FATA[0000] failed to load config: " + finchDir.resolve("finch.yaml") + ":" + expected)
        .endsWith("\n");
    assertThat(err().lines()).hasSize(1);
    assertThat(runner.specs()).isEmpty();
  }

  @Test
  void vmStatusPrintsFinchsWordAndPendingChanges() throws Exception {
    vmIs("Running");
    assertThat(finch(HostOs.MACOS, "vm", "status")).isZero();
    assertThat(out.toString()).isEqualTo("Running\n");
    assertThat(err()).isEmpty();

    Files.createDirectories(install.resolve("lima/data/_finch"));
    Files.writeString(
        install.resolve("lima/data/_finch/applied-settings"), "cpus=4\nvmType=qemu\n");
    config("cpus: 6\n");
    out.getBuffer().setLength(0);
    assertThat(finch(HostOs.MACOS, "vm", "status")).isZero();
    assertThat(out.toString()).isEqualTo("Running\n");
    assertThat(err())
        .isEqualTo(
            """
        WARN[0000] cpus changed from 4 to 6 in finch.yaml; it takes effect after `finch vm stop` and `finch vm start`
        WARN[0000] vmType changed from qemu to vz in finch.yaml; it takes effect after `finch vm remove` and `finch vm init`
        """);
  }

  @Test
  void illegalTransitionIsOneFatalLine() {
    vmIs("Running");
    assertThat(finch(HostOs.MACOS, "vm", "remove")).isEqualTo(1);
    assertThat(err())
        .isEqualTo(
            "FATA[0000] the instance \"finch\" is running, run "
                + "`finch vm stop` to stop the instance first\n");
  }

  @Test
  void vmInitLogsFinchsMessages() {
    runner.when(List.of("ls", "-f"), new CommandResult(1, "", "No instance matching finch found"));
    assertThat(finch(HostOs.MACOS, "vm", "init")).isZero();
    assertThat(err())
        .isEqualTo(
            """
        INFO[0000] Initializing and starting Finch virtual machine...
        INFO[0000] Finch virtual machine started successfully
        """);
    assertThat(runner.argvs().getLast()).startsWith(limactl, "start", "--name=finch");
  }

  @Test
  void passThroughReturnsTheGuestExitCodeSilently() {
    vmIs("Running");
    runner.when(List.of("nerdctl"), new CommandResult(3, "", ""));
    assertThat(finch(HostOs.MACOS, "--debug", "run", "--rm", "alpine", "sh", "-c", "exit 3"))
        .isEqualTo(3);
    assertThat(runner.argvs())
        .containsExactly(
            List.of(limactl, "ls", "-f", "{{.Status}}", "finch"),
            shell(
                "nerdctl",
                "--snapshotter=overlayfs",
                "container",
                "run",
                "--rm",
                "alpine",
                "sh",
                "-c",
                "exit 3"));
    assertThat(err()).doesNotContain("FATA");
  }

  @Test
  void passThroughAutoStartsAStoppedVm() {
    vmIs("Stopped");
    assertThat(finch(HostOs.MACOS, "images")).isZero();
    assertThat(runner.argvs())
        .extracting(a -> String.join(" ", a.subList(1, Math.min(3, a.size()))))
        .containsExactly("ls -f", "disk create", "start finch", "shell finch");
    assertThat(err()).contains("INFO[0000] Starting existing Finch virtual machine...");
  }

  @Test
  void passThroughRefusesWhenAutoStartIsOff() throws Exception {
    config("auto_vm_start: false\n");
    vmIs("Stopped");
    assertThat(finch(HostOs.MACOS, "images")).isEqualTo(1);
    assertThat(err())
        .isEqualTo(
            "FATA[0000] instance \"finch\" is stopped, run "
                + "`finch vm start` to start the instance\n");
  }

  @Test
  void helpSaysFinch() {
    vmIs("Running");
    runner.when(List.of("--help"), new CommandResult(0, "Usage: nerdctl images [flags]\n", ""));
    assertThat(finch(HostOs.MACOS, "images", "--help")).isZero();
    assertThat(out.toString()).isEqualTo("Usage: finch images [flags]\n");
  }

  @Test
  void versionInFinchsFormat() throws Exception {
    config("snapshotters: [soci]\n");
    vmIs("Running");
    runner
        .when(
            List.of("nerdctl", "version"),
            new CommandResult(
                0,
                """
        {"Client":{"Version":"v2.2.2","GitCommit":"n1","Components":[{"Name":"buildctl","Version":"v0.28.1","Details":{"GitCommit":"b1"}}]},
         "Server":{"Components":[{"Name":"containerd","Version":"v2.2.1","Details":{"GitCommit":"c1"}},{"Name":"runc","Version":"1.4.0","Details":{"GitCommit":"r1"}}]}}
        """,
                ""))
        .when(List.of("soci", "--version"), new CommandResult(0, "soci version v0.1.0\n", ""));
    assertThat(finch(HostOs.MACOS, "version")).isZero();
    assertThat(out.toString())
        .isEqualTo(
            """
        Client:
         Version:\tv1.2.3
         OS/Arch:\tdarwin/arm64
         GitCommit:\tabc123
         nerdctl:
          Version:\tv2.2.2
          GitCommit:\tn1
         buildctl:
          Version:\tv0.28.1
          GitCommit:\tb1

        Server:
         containerd:
          Version:\tv2.2.1
          GitCommit:\tc1
         runc:
          Version:\t1.4.0
          GitCommit:\tr1
         soci-snapshotter:
          Version:\tv0.1.0
          GitCommit:\t
        """);
    out.getBuffer().setLength(0);
    assertThat(
            finch(
                HostOs.MACOS,
                "version",
                "--format",
                "{{.Client.Version}} {{.NerdctlClient.Version}}"))
        .isZero();
    assertThat(out.toString()).isEqualTo("v1.2.3 v2.2.2\n");
    out.getBuffer().setLength(0);
    assertThat(finch(HostOs.MACOS, "version", "-f", "json")).isZero();
    assertThat(out.toString()).startsWith("{\"Client\":{\"Version\":\"v1.2.3\"");
  }

  @Test
  void versionRefusesAGuestContainerdOlderThan16() throws Exception {
    vmIs("Running");
    runner.when(
        List.of("nerdctl", "version"),
        new CommandResult(
            0,
            """
        {"Client":{"Version":"v1.7.7","GitCommit":"n1","Components":[]},
         "Server":{"Components":[{"Name":"containerd","Version":"v1.5.18","Details":{"GitCommit":"c1"}}]}}
        """,
            ""));
    assertThat(finch(HostOs.MACOS, "version")).isEqualTo(1);
    assertThat(out.toString()).contains(" containerd:\n  Version:\tv1.5.18\n");
    assertThat(err())
        .isEqualTo(
            "FATA[0000] containerd v1.5.18 in the guest is too old: finch needs containerd 1.6 or newer\n");
  }

  @Test
  void versionWithoutRunningVmAndNoAutoStart() throws Exception {
    config("auto_vm_start: false\n");
    vmIs("Stopped");
    assertThat(finch(HostOs.MACOS, "version")).isEqualTo(1);
    assertThat(out.toString()).isEqualTo("Finch version:\tv1.2.3\n");
    assertThat(err())
        .isEqualTo("FATA[0000] detailed version info is unavailable because VM is not running\n");
  }

  @Test
  void linuxHasNoVmToManage() {
    assertThat(finch(HostOs.LINUX, "vm", "status")).isZero();
    assertThat(out.toString()).startsWith("finch runs containers natively on Linux");
    assertThat(runner.specs()).isEmpty();
  }

  @Test
  void rmiOfAMissingImageExits1OnTheCtrEngine() throws Exception {
    // a Linux host without nerdctl: ctr from finch's own bin directory, nothing from the real PATH
    Path bin = Files.createDirectories(install.resolve("bin"));
    Files.writeString(bin.resolve("ctr"), "#!/bin/sh\n");
    bin.resolve("ctr").toFile().setExecutable(true);
    HostFacts host =
        new HostFacts(
            HostOs.LINUX,
            "x86_64",
            8,
            16L << 30,
            0,
            Path.of("/home/me"),
            Map.of("FINCH_DIR", finchDir.toString(), "PATH", finchDir.resolve("empty").toString()));
    FinchEnvironment linux =
        new FinchEnvironment(
            host, runner, new InstallLayout(install), Path.of("/home/me"), "v1.2.3", "abc123");
    runner.when(
        List.of("images", "ls"),
        new CommandResult(0, "REF TYPE DIGEST SIZE PLATFORMS LABELS\n", ""));
    for (String ref : List.of(":::", "127.0.0.1:1/nonexistent:zz")) {
      err.getBuffer().setLength(0);
      int rc = new FinchCli(linux).run(new PrintWriter(out), new PrintWriter(err), "rmi", ref);
      assertThat(rc).as(ref).isEqualTo(1);
      assertThat(err()).isEqualTo("FATA[0000] no such image: " + ref + "\n");
    }
    assertThat(runner.argvs()).noneMatch(a -> a.contains("rm"));
  }

  @Test
  void windowsPassThroughGoesThroughWsl() {
    runner.when(List.of("--list"), new CommandResult(0, "  lima-finch Running 2\n", ""));
    assertThat(finch(HostOs.WINDOWS, "ps", "-a")).isZero();
    assertThat(runner.argvs())
        .last()
        .isEqualTo(
            List.of(
                "wsl.exe",
                "--distribution",
                "lima-finch",
                "--user",
                "root",
                "--cd",
                "/Users/me/src",
                "--exec",
                "nerdctl",
                "--snapshotter=overlayfs",
                "ps",
                "-a"));
  }

  @Test
  void completionAndUsageErrors() {
    assertThat(finch(HostOs.MACOS, "completion", "bash")).isZero();
    assertThat(out.toString()).contains("complete -F").contains("images").contains("vm");
    assertThat(finch(HostOs.MACOS, "vm", "stop", "--bogus")).isEqualTo(1);
    assertThat(err()).startsWith("FATA[0000] Unknown option: '--bogus'");
  }

  @ParameterizedTest(name = "finch {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      --address S --bogus                       | Unknown option: '--bogus'
      --address=S --bogus                       | Unknown option: '--bogus'
      --bogus --address S                       | Unknown option: '--bogus'
      -n k8s.io --debug --snapshotter soci -x   | Unknown option: '-x'
      -nk8s.io --debug-full --insecure-registry --bogus=1 | Unknown option: '--bogus=1'
      --host-gateway-ip 10.0.0.1 --bogus images | Unknown option: '--bogus'
      --namespace k8s.io --bogus ps -a          | Unknown option: '--bogus'
      --address                                 | Missing required parameter for option '--address'
      """)
  void anUnknownOrIncompleteLeadingOptionIsNamedAlone(String argv, String message) {
    vmIs("Running");
    assertThat(finch(HostOs.MACOS, argv.split(" "))).isEqualTo(1);
    assertThat(err()).isEqualTo("FATA[0000] " + message + "; run `finch --help` for usage\n");
    assertThat(out.toString()).isEmpty();
    assertThat(runner.specs()).as("nothing runs").isEmpty();
  }

  @Test
  void nerdctlGlobalOptionsGoToTheGuestAndFinchsOwnCommandsIgnoreThem() {
    vmIs("Running");
    assertThat(finch(HostOs.MACOS, "--namespace", "k8s.io", "--address=/run/c.sock", "ps"))
        .isZero();
    assertThat(runner.argvs().getLast())
        .isEqualTo(
            shell(
                "nerdctl",
                "--snapshotter=overlayfs",
                "--namespace",
                "k8s.io",
                "--address=/run/c.sock",
                "ps"));
    assertThat(finch(HostOs.MACOS, "-n", "k8s.io", "--debug-full", "vm", "status")).isZero();
    assertThat(out.toString()).isEqualTo("Running\n");
    out.getBuffer().setLength(0);
    assertThat(finch(HostOs.MACOS, "--address", "S")).isZero();
    assertThat(out.toString()).contains("Usage: finch");
    assertThat(err()).isEmpty();
  }

  @Test
  void vmSubcommandsThroughPicocli() {
    assertThat(finch(HostOs.MACOS, "vm", "stop", "-f")).isZero();
    assertThat(runner.argvs()).containsExactly(List.of(limactl, "stop", "--force", "finch"));
    assertThat(err())
        .isEqualTo(
            """
        INFO[0000] Forcibly stopping Finch virtual machine...
        INFO[0000] Finch virtual machine stopped successfully
        """);
    runner.when(List.of("disk", "ls"), new CommandResult(0, "NAME SIZE\nfinch 50GiB\n", ""));
    assertThat(finch(HostOs.MACOS, "vm", "disk", "info")).isZero();
    assertThat(out.toString()).isEqualTo("NAME SIZE\nfinch 50GiB\n");
    out.getBuffer().setLength(0);
    assertThat(finch(HostOs.MACOS, "vm")).isZero();
    assertThat(out.toString())
        .contains("Usage: finch vm [--debug] [COMMAND]")
        .contains("init", "status");
    out.getBuffer().setLength(0);
    assertThat(finch(HostOs.MACOS)).isZero();
    assertThat(out.toString()).contains("Usage: finch").contains("images", "vm", "version");
  }

  @Test
  void stackTracesOnlyWithDebug() {
    runner.when(List.of("ls", "-f"), new CommandResult(0, "Broken\n", ""));
    assertThat(finch(HostOs.MACOS, "vm", "start")).isEqualTo(1);
    assertThat(err())
        .isEqualTo(
            "FATA[0000] unrecognized system status \"Broken\" of "
                + "instance \"finch\"; recover with `finch vm stop -f` or `finch vm remove -f`\n");
    err.getBuffer().setLength(0);
    assertThat(finch(HostOs.MACOS, "--debug", "vm", "start")).isEqualTo(1);
    assertThat(err()).contains("DEBU[0000] dev.finch.vm.VmException").contains("\tat ");
  }
}
