package dev.finch.vm.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real process seam, against /bin/sh. */
class ProcessCommandRunnerTest {
  final ProcessCommandRunner runner = new ProcessCommandRunner();

  @Test
  void capturesOutputErrorAndExitWithEnvWorkdirAndStdin(@TempDir Path dir) throws Exception {
    CommandResult r = runner.run(CommandSpec.of("/bin/sh", "-c",
            "cat; echo \"$FINCH_TEST\"; pwd; echo oops >&2; exit 4")
        .withEnv(Map.of("FINCH_TEST", "v1")).withWorkdir(dir)
        .withStdin(new CommandSpec.Stdin.Text("from-stdin\n")));
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.out()).isEqualTo("from-stdin\nv1\n" + dir.toRealPath() + "\n");
    assertThat(r.err()).isEqualTo("oops\n");
    assertThat(r.combined()).isEqualTo("from-stdin\nv1\n" + dir.toRealPath() + "\noops\n");
  }

  @Test
  void streamsLinesAsTheyArePrinted() throws Exception {
    List<String> lines = new ArrayList<>();
    CommandResult r = runner.stream(CommandSpec.of("/bin/sh", "-c", "echo a; echo b >&2; echo c"),
        lines::add);
    assertThat(r.ok()).isTrue();
    assertThat(lines).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(r.out().lines()).hasSize(3);
  }

  @Test
  void detachedCommandsAreLeftRunning(@TempDir Path dir) throws Exception {
    Path done = dir.resolve("done");
    long t0 = System.nanoTime();
    CommandResult r = runner.run(CommandSpec.of("/bin/sh", "-c", "sleep 2; touch " + done)
        .withIo(CommandSpec.Io.DETACHED));
    assertThat(r.exit()).isZero();
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1800);
    assertThat(done).doesNotExist();
    for (int i = 0; i < 50 && !java.nio.file.Files.exists(done); i++) {
      Thread.sleep(100);
    }
    assertThat(done).exists();
  }

  @Test
  void aMissingProgramIsACommandFailure() {
    assertThatThrownBy(() -> runner.run(CommandSpec.of("/nonexistent/limactl", "ls")))
        .isInstanceOf(CommandFailedException.class)
        .hasMessageStartingWith("cannot run /nonexistent/limactl ls: ")
        .satisfies(e -> assertThat(((CommandFailedException) e).exit()).isEqualTo(-1));
  }

  @Test
  void displayQuotesLikeAShell() {
    assertThat(CommandSpec.of("limactl", "ls", "-f", "{{.Status}}", "a b", "it's").display())
        .isEqualTo("limactl ls -f {{.Status}} 'a b' 'it'\\''s'");
  }
}
