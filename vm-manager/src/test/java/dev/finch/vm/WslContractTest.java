package dev.finch.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.config.Defaults;
import dev.finch.config.HostFacts;
import dev.finch.config.HostOs;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandSpec;
import dev.finch.process.RecordingLog;
import dev.finch.process.RecordingRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The WSL2 contract: exact wsl.exe argv per VM command from each state. WSL cannot run on these
 * Linux machines, so this is how the backend is tested.
 */
class WslContractTest {
  @TempDir Path install;
  @TempDir Path localAppData;
  HostFacts windows;
  String vhdx;

  @BeforeEach
  void host() {
    windows =
        new HostFacts(
            HostOs.WINDOWS,
            "x86_64",
            8,
            16L << 30,
            0,
            Path.of("/home/me"),
            Map.of("LOCALAPPDATA", localAppData.toString()));
    vhdx = localAppData.resolve(".finch/.disks/finch-data.vhdx").toString();
  }

  /** wsl.exe writes UTF-16LE; the runner decodes bytes as UTF-8, leaving NULs between chars. */
  static String utf16ish(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c).append('\u0000');
    }
    return b.toString();
  }

  static CommandResult probe(VmStatus s) {
    String rows = "  NAME          STATE           VERSION\n* Ubuntu        Running         2\n";
    return switch (s) {
      case NONEXISTENT -> new CommandResult(0, utf16ish(rows), "");
      case STOPPED ->
          new CommandResult(0, utf16ish(rows + "  lima-finch    Stopped         2\n"), "");
      case RUNNING ->
          new CommandResult(0, utf16ish(rows + "  lima-finch    Running         2\n"), "");
      case UNKNOWN -> new CommandResult(0, rows + "  lima-finch    Installing      2\n", "");
    };
  }

  private VmLifecycle lifecycle(RecordingRunner runner, RecordingLog log) {
    return new VmLifecycle(
        new WslBackend(new InstallLayout(install), windows), runner, Defaults.config(windows), log);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "init",
            VmStatus.NONEXISTENT,
            List.of("import", "mount", "provision", "keepalive"),
            "ok"),
        Arguments.of("init", VmStatus.STOPPED, List.of(), VmLifecycle.INIT_ON_STOPPED),
        Arguments.of("init", VmStatus.RUNNING, List.of(), VmLifecycle.ALREADY_RUNNING),
        Arguments.of(
            "init",
            VmStatus.UNKNOWN,
            List.of(),
            "unrecognized system status "
                + "\"Installing\" of instance \"finch\"; recover with `finch vm stop -f` or `finch vm remove -f`"),
        Arguments.of("start", VmStatus.NONEXISTENT, List.of(), VmLifecycle.START_ON_NONEXISTENT),
        Arguments.of("start", VmStatus.STOPPED, List.of("mount", "provision", "keepalive"), "ok"),
        Arguments.of("start", VmStatus.RUNNING, List.of(), VmLifecycle.ALREADY_RUNNING),
        Arguments.of("stop", VmStatus.NONEXISTENT, List.of(), VmLifecycle.DOES_NOT_EXIST),
        Arguments.of("stop", VmStatus.STOPPED, List.of(), VmLifecycle.ALREADY_STOPPED),
        Arguments.of("stop", VmStatus.RUNNING, List.of("terminate", "unmount"), "ok"),
        Arguments.of("remove", VmStatus.NONEXISTENT, List.of(), VmLifecycle.DOES_NOT_EXIST),
        Arguments.of("remove", VmStatus.STOPPED, List.of("unregister", "unmount"), "ok"),
        Arguments.of("remove", VmStatus.RUNNING, List.of(), VmLifecycle.REMOVE_ON_RUNNING));
  }

  private List<String> expand(String step) {
    return switch (step) {
      case "import" ->
          List.of(
              "wsl.exe",
              "--import",
              "lima-finch",
              install.resolve("lima/data/finch").toString(),
              install.resolve("os/guest-image/rootfs.tar.gz").toString(),
              "--version",
              "2");
      case "mount" -> List.of("wsl.exe", "--mount", "--vhd", vhdx, "--bare");
      case "provision" ->
          List.of(
              "wsl.exe",
              "--distribution",
              "lima-finch",
              "--user",
              "root",
              "--exec",
              "/bin/bash",
              "-s");
      case "keepalive" ->
          List.of(
              "wsl.exe",
              "--distribution",
              "lima-finch",
              "--user",
              "root",
              "--exec",
              "/bin/sleep",
              "infinity");
      case "terminate" -> List.of("wsl.exe", "--terminate", "lima-finch");
      case "unregister" -> List.of("wsl.exe", "--unregister", "lima-finch");
      case "unmount" -> List.of("wsl.exe", "--unmount", "\\\\?\\" + vhdx);
      default -> throw new IllegalArgumentException(step);
    };
  }

  @ParameterizedTest(name = "vm {0} from {1}")
  @MethodSource("cases")
  void eachTransitionFromEachState(
      String command, VmStatus state, List<String> steps, String outcome) throws Exception {
    Files.createDirectories(Path.of(vhdx).getParent());
    Files.writeString(Path.of(vhdx), "disk");
    RecordingRunner runner = new RecordingRunner().when(List.of("--list"), probe(state));
    RecordingLog log = new RecordingLog();
    VmLifecycle vm = lifecycle(runner, log);
    List<List<String>> expected = new ArrayList<>();
    expected.add(List.of("wsl.exe", "--list", "--verbose"));
    steps.forEach(s -> expected.add(expand(s)));
    if (outcome.equals("ok")) {
      run(vm, command);
      assertThat(log.lines).anyMatch(l -> l.endsWith("successfully"));
      if (command.equals("init")) {
        assertThat(log.lines).last().asString().startsWith("WARN WSL mounts the C: drive");
      }
    } else {
      assertThatThrownBy(() -> run(vm, command))
          .isInstanceOf(VmException.class)
          .hasMessage(outcome);
    }
    assertThat(runner.argvs()).isEqualTo(expected);
    runner.specs().stream()
        .filter(s -> s.argv().contains("-s"))
        .forEach(
            s ->
                assertThat(((CommandSpec.Stdin.Text) s.stdin()).text())
                    .startsWith("#!/bin/bash\n# finch guest provisioning\nmkdir -p /mnt/lima-finch")
                    .contains(
                        "LABEL=FinchDataDisk", "CONTAINERD_SNAPSHOTTER=overlayfs", "nerdctl-full"));
  }

  private static void run(VmLifecycle vm, String command) throws VmException {
    switch (command) {
      case "init" -> vm.init();
      case "start" -> vm.start();
      case "stop" -> vm.stop(false);
      default -> vm.remove(false);
    }
  }

  @Test
  void forcedCommandsSkipTheCheckAndNoDiskMeansNoMount() throws Exception {
    for (VmStatus s : VmStatus.values()) {
      RecordingRunner runner = new RecordingRunner().when(List.of("--list"), probe(s));
      VmLifecycle vm = lifecycle(runner, new RecordingLog());
      vm.stop(true);
      vm.remove(true);
      assertThat(runner.argvs())
          .containsExactly(
              List.of("wsl.exe", "--terminate", "lima-finch"),
              List.of("wsl.exe", "--unregister", "lima-finch"));
    }
    RecordingRunner runner = new RecordingRunner().when(List.of("--list"), probe(VmStatus.STOPPED));
    lifecycle(runner, new RecordingLog()).start();
    assertThat(runner.argvs())
        .containsExactly(
            List.of("wsl.exe", "--list", "--verbose"), expand("provision"), expand("keepalive"));
    assertThat(runner.specs().getLast().io()).isEqualTo(CommandSpec.Io.DETACHED);
  }

  @Test
  void guestCommandsRunAsRootInTheMappedDirectory() {
    WslBackend b = new WslBackend(new InstallLayout(install), windows);
    CommandSpec spec =
        b.command(
            List.of("nerdctl", "ps"), Map.of("AWS_PROFILE", "dev"), Path.of("C:\\Users\\me\\src"));
    assertThat(spec.argv())
        .containsExactly(
            "wsl.exe",
            "--distribution",
            "lima-finch",
            "--user",
            "root",
            "--cd",
            "/mnt/c/Users/me/src",
            "--exec",
            "env",
            "AWS_PROFILE=dev",
            "nerdctl",
            "ps");
  }

  @Test
  void diskInfoIsMacOnly() {
    assertThatThrownBy(() -> lifecycle(new RecordingRunner(), new RecordingLog()).diskInfo())
        .hasMessage("finch vm disk is available on macOS only");
  }
}
