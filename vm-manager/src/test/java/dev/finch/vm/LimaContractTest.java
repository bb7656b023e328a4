package dev.finch.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.config.Defaults;
import dev.finch.config.FinchConfig;
import dev.finch.config.HostFacts;
import dev.finch.config.HostOs;
import dev.finch.process.CommandResult;
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
 * The Lima contract: for each VM command from each state, the exact limactl argv sequence and the
 * exact message. Lima cannot run on these Linux machines, so this is how the backend is tested.
 */
class LimaContractTest {
  static final HostFacts MAC =
      new HostFacts(
          HostOs.MACOS,
          "aarch64",
          8,
          16L << 30,
          15,
          Path.of("/Users/me"),
          Map.of("PATH", "/usr/bin:/bin"));
  static final String UNRECOGNIZED =
      "unrecognized system status \"Broken\" of instance \"finch\"; "
          + "recover with `finch vm stop -f` or `finch vm remove -f`";

  @TempDir Path install;
  String limactl;
  String template;

  @BeforeEach
  void paths() {
    limactl = install.resolve("lima/bin/limactl").toString();
    template = install.resolve("os/finch.yaml").toString();
  }

  static CommandResult probe(VmStatus s) {
    return switch (s) {
      case NONEXISTENT ->
          new CommandResult(
              1, "", "time=\"x\" level=fatal msg=\"No instance matching finch found\"\n");
      case STOPPED -> new CommandResult(0, "Stopped\n", "");
      case RUNNING -> new CommandResult(0, "Running\n", "");
      case UNKNOWN -> new CommandResult(0, "Broken\n", "");
    };
  }

  List<String> l(String... args) {
    List<String> a = new ArrayList<>(List.of(limactl));
    a.addAll(List.of(args));
    return a;
  }

  /** command, state, expected argv (after the status probe), expected outcome. */
  static Stream<Arguments> transitions() {
    String ok = "ok";
    return Stream.of(
        Arguments.of("init", VmStatus.NONEXISTENT, List.of("disk create", "start --name"), ok),
        Arguments.of("init", VmStatus.STOPPED, List.of(), VmLifecycle.INIT_ON_STOPPED),
        Arguments.of("init", VmStatus.RUNNING, List.of(), VmLifecycle.ALREADY_RUNNING),
        Arguments.of("init", VmStatus.UNKNOWN, List.of(), UNRECOGNIZED),
        Arguments.of("start", VmStatus.NONEXISTENT, List.of(), VmLifecycle.START_ON_NONEXISTENT),
        Arguments.of("start", VmStatus.STOPPED, List.of("disk create", "start finch"), ok),
        Arguments.of("start", VmStatus.RUNNING, List.of(), VmLifecycle.ALREADY_RUNNING),
        Arguments.of("start", VmStatus.UNKNOWN, List.of(), UNRECOGNIZED),
        Arguments.of("stop", VmStatus.NONEXISTENT, List.of(), VmLifecycle.DOES_NOT_EXIST),
        Arguments.of("stop", VmStatus.STOPPED, List.of(), VmLifecycle.ALREADY_STOPPED),
        Arguments.of("stop", VmStatus.RUNNING, List.of("stop finch"), ok),
        Arguments.of("stop", VmStatus.UNKNOWN, List.of(), UNRECOGNIZED),
        Arguments.of("remove", VmStatus.NONEXISTENT, List.of(), VmLifecycle.DOES_NOT_EXIST),
        Arguments.of("remove", VmStatus.STOPPED, List.of("remove finch"), ok),
        Arguments.of("remove", VmStatus.RUNNING, List.of(), VmLifecycle.REMOVE_ON_RUNNING),
        Arguments.of("remove", VmStatus.UNKNOWN, List.of(), UNRECOGNIZED));
  }

  private List<String> expand(String step) {
    return switch (step) {
      case "disk create" -> l("disk", "create", "finch", "--size", "50GiB", "--format", "raw");
      case "start --name" ->
          l("start", "--name=finch", template, "--tty=false", "--set", ".ssh.overVsock=false");
      case "start finch" -> l("start", "finch");
      case "stop finch" -> l("stop", "finch");
      case "remove finch" -> l("remove", "finch");
      default -> throw new IllegalArgumentException(step);
    };
  }

  private VmLifecycle lifecycle(RecordingRunner runner, RecordingLog log) {
    return new VmLifecycle(
        new LimaBackend(new InstallLayout(install), MAC), runner, Defaults.config(MAC), log);
  }

  private static void act(VmLifecycle vm, String command) throws VmException {
    switch (command) {
      case "init" -> vm.init();
      case "start" -> vm.start();
      case "stop" -> vm.stop(false);
      case "remove" -> vm.remove(false);
      default -> throw new IllegalArgumentException(command);
    }
  }

  @ParameterizedTest(name = "vm {0} from {1}")
  @MethodSource("transitions")
  void eachTransitionFromEachState(
      String command, VmStatus state, List<String> steps, String outcome) throws Exception {
    RecordingRunner runner = new RecordingRunner().when(List.of("ls"), probe(state));
    RecordingLog log = new RecordingLog();
    VmLifecycle vm = lifecycle(runner, log);
    List<List<String>> expected = new ArrayList<>();
    expected.add(l("ls", "-f", "{{.Status}}", "finch"));
    steps.forEach(s -> expected.add(expand(s)));
    if (outcome.equals("ok")) {
      act(vm, command);
      String past =
          switch (command) {
            case "init", "start" -> "started";
            case "stop" -> "stopped";
            default -> "removed";
          };
      assertThat(log.lines)
          .last()
          .isEqualTo("INFO Finch virtual machine " + past + " successfully");
    } else {
      assertThatThrownBy(() -> act(vm, command))
          .isInstanceOf(VmException.class)
          .hasMessage(outcome);
      assertThat(log.lines).isEmpty();
    }
    assertThat(runner.argvs()).isEqualTo(expected);
    runner
        .specs()
        .forEach(
            s ->
                assertThat(s.env())
                    .containsEntry("LIMA_HOME", install.resolve("lima/data").toString())
                    .containsEntry("PATH", install.resolve("lima/bin") + ":/usr/bin:/bin"));
  }

  @ParameterizedTest(name = "vm {0} -f from {1}")
  @MethodSource("forcedCases")
  void forcedStopAndRemoveSkipTheCheck(String command, VmStatus state) throws Exception {
    RecordingRunner runner = new RecordingRunner().when(List.of("ls"), probe(state));
    RecordingLog log = new RecordingLog();
    VmLifecycle vm = lifecycle(runner, log);
    if (command.equals("stop")) {
      vm.stop(true);
      assertThat(runner.argvs()).containsExactly(l("stop", "--force", "finch"));
      assertThat(log.lines)
          .containsExactly(
              "INFO Forcibly stopping Finch virtual machine...",
              "INFO Finch virtual machine stopped successfully");
    } else {
      vm.remove(true);
      assertThat(runner.argvs()).containsExactly(l("remove", "--force", "finch"));
      assertThat(log.lines)
          .containsExactly(
              "INFO Forcibly removing Finch virtual machine...",
              "INFO Finch virtual machine removed successfully");
    }
  }

  static Stream<Arguments> forcedCases() {
    return Stream.of(VmStatus.values())
        .flatMap(s -> Stream.of(Arguments.of("stop", s), Arguments.of("remove", s)));
  }

  @Test
  void statusProbeIsParsedForEachState() throws Exception {
    for (VmStatus s : VmStatus.values()) {
      RecordingRunner runner = new RecordingRunner().when(List.of("ls"), probe(s));
      assertThat(lifecycle(runner, new RecordingLog()).status()).isEqualTo(s);
      assertThat(runner.argvs()).containsExactly(l("ls", "-f", "{{.Status}}", "finch"));
    }
  }

  @Test
  void existingDataDiskIsNotRecreatedAndFailuresShowDebugLogs() throws Exception {
    Files.createDirectories(install.resolve("lima/data/_disks/finch"));
    RecordingRunner runner =
        new RecordingRunner()
            .when(List.of("ls"), probe(VmStatus.STOPPED))
            .when(List.of("start"), new CommandResult(1, "", "level=fatal msg=\"boot failed\"\n"));
    VmLifecycle vm = lifecycle(runner, new RecordingLog());
    assertThatThrownBy(vm::start)
        .hasMessage(
            "Finch virtual machine failed to start, debug logs:\nlevel=fatal msg=\"boot failed\"");
    assertThat(runner.argvs())
        .containsExactly(l("ls", "-f", "{{.Status}}", "finch"), l("start", "finch"));
  }

  @Test
  void autoStartInitsOrStartsOrRefuses() throws Exception {
    RecordingRunner runner = new RecordingRunner().when(List.of("ls"), probe(VmStatus.STOPPED));
    lifecycle(runner, new RecordingLog()).ensureRunning();
    assertThat(runner.argvs()).contains(l("start", "finch"));

    FinchConfig noAuto = withAutoStart(Defaults.config(MAC), false);
    for (VmStatus s : List.of(VmStatus.NONEXISTENT, VmStatus.STOPPED, VmStatus.UNKNOWN)) {
      RecordingRunner r = new RecordingRunner().when(List.of("ls"), probe(s));
      VmLifecycle vm =
          new VmLifecycle(
              new LimaBackend(new InstallLayout(install), MAC), r, noAuto, new RecordingLog());
      String expected =
          switch (s) {
            case NONEXISTENT ->
                "instance \"finch\" does not exist, run `finch vm init` to create a new instance";
            case STOPPED ->
                "instance \"finch\" is stopped, run `finch vm start` to start the instance";
            default -> "instance \"finch\" has an unknown status";
          };
      assertThatThrownBy(vm::ensureRunning).hasMessage(expected);
    }
  }

  @Test
  void changedRestartOnlyKeyIsReportedAsPending() throws Exception {
    RecordingRunner runner = new RecordingRunner().when(List.of("ls"), probe(VmStatus.NONEXISTENT));
    lifecycle(runner, new RecordingLog()).init();
    FinchConfig more = Defaults.config(MAC);
    more = more.toBuilder().cpus(6).build();
    VmLifecycle after =
        new VmLifecycle(
            new LimaBackend(new InstallLayout(install), MAC), runner, more, new RecordingLog());
    assertThat(after.pendingChanges())
        .extracting(p -> p.message())
        .containsExactly(
            "cpus changed from 4 to 6 in finch.yaml; it takes effect after `finch vm stop` and `finch vm start`");
  }

  @Test
  void diskInfoRunsLimactlDiskLs() throws Exception {
    RecordingRunner runner =
        new RecordingRunner()
            .when(
                List.of("disk", "ls"),
                new CommandResult(
                    0, "NAME SIZE FORMAT DIR IN-USE-BY\nfinch 50GiB raw /x finch\n", ""));
    assertThat(lifecycle(runner, new RecordingLog()).diskInfo()).startsWith("NAME SIZE");
    assertThat(runner.argvs()).containsExactly(l("disk", "ls", "finch"));
    RecordingRunner empty = new RecordingRunner();
    assertThatThrownBy(() -> lifecycle(empty, new RecordingLog()).diskInfo())
        .hasMessage("no disk information found for virtual machine \"finch\"");
  }

  static FinchConfig withAutoStart(FinchConfig c, boolean auto) {
    return c.toBuilder().autoVmStart(auto).build();
  }
}
