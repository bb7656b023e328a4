package dev.finch.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    CommandResult r =
        runner.run(
            CommandSpec.of("/bin/sh", "-c", "cat; echo \"$FINCH_TEST\"; pwd; echo oops >&2; exit 4")
                .withEnv(Map.of("FINCH_TEST", "v1"))
                .withWorkdir(dir)
                .withStdin(new CommandSpec.Stdin.Text("from-stdin\n")));
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.out()).isEqualTo("from-stdin\nv1\n" + dir.toRealPath() + "\n");
    assertThat(r.err()).isEqualTo("oops\n");
    assertThat(r.combined()).isEqualTo("from-stdin\nv1\n" + dir.toRealPath() + "\noops\n");
  }

  @Test
  void aNonZeroExitIsAResultUntilTheCallerAsksForSuccess() throws Exception {
    CommandSpec spec =
        CommandSpec.of("sh", "-c", "cat; printf \" $GREETING\"; echo oops >&2; exit 3")
            .withEnv(Map.of("GREETING", "hi"))
            .withStdin("from-stdin")
            .withTimeout(Duration.ofSeconds(10));
    CommandResult r = runner.run(spec);
    assertThat(r).isEqualTo(new CommandResult(3, "from-stdin hi", "oops\n"));
    assertThatThrownBy(() -> r.orThrow(spec))
        .isInstanceOf(CommandFailedException.class)
        .hasMessage(
            "sh -c cat; printf \" $GREETING\"; echo oops >&2; exit 3 exited with status 3: oops")
        .satisfies(
            e -> {
              CommandFailedException f = (CommandFailedException) e;
              assertThat(f.exit()).isEqualTo(3);
              assertThat(f.stderr()).isEqualTo("oops\n");
              assertThat(f.argv()).isEqualTo(spec.argv());
            });
    CommandResult ok = runner.run(CommandSpec.of("true"));
    assertThat(ok.orThrow(CommandSpec.of("true"))).isSameAs(ok);
  }

  @Test
  void streamsLinesAsTheyArePrinted() throws Exception {
    List<String> lines = new ArrayList<>();
    CommandResult r =
        runner.stream(CommandSpec.of("/bin/sh", "-c", "echo a; echo b >&2; echo c"), lines::add);
    assertThat(r.ok()).isTrue();
    assertThat(lines).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(r.out().lines()).hasSize(3);
  }

  @Test
  void laterStdinIsWrittenWhenKnownWhileTheOutputStreams() throws Exception {
    java.util.concurrent.CompletableFuture<String> go =
        new java.util.concurrent.CompletableFuture<>();
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    CommandSpec spec =
        CommandSpec.of("/bin/sh", "-c", "echo built; read x; echo \"got $x\"; read y || echo eof")
            .withStdin(new CommandSpec.Stdin.Later(go));
    // the child prints before its input is known; its input is given once that line is here
    Thread.ofVirtual()
        .start(
            () -> {
              while (!lines.contains("built")) {
                Thread.onSpinWait();
              }
              go.complete("go\n");
            });
    CommandResult r = runner.stream(spec.withTimeout(Duration.ofSeconds(20)), lines::add);
    assertThat(r.ok()).isTrue();
    assertThat(lines).containsExactly("built", "got go", "eof");
    // none (a future without text): end of input alone, in run() too
    CommandResult none =
        runner.run(
            CommandSpec.of("/bin/sh", "-c", "read x || echo \"eof [$x]\"")
                .withStdin(
                    new CommandSpec.Stdin.Later(
                        java.util.concurrent.CompletableFuture.completedFuture(null))));
    assertThat(none.out()).isEqualTo("eof []\n");
  }

  @Test
  void detachedCommandsAreLeftRunning(@TempDir Path dir) throws Exception {
    Path done = dir.resolve("done");
    long t0 = System.nanoTime();
    CommandResult r =
        runner.run(
            CommandSpec.of("/bin/sh", "-c", "sleep 2; touch " + done)
                .withIo(CommandSpec.Io.DETACHED));
    assertThat(r.exit()).isZero();
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1800);
    assertThat(done).doesNotExist();
    for (int i = 0; i < 50 && !Files.exists(done); i++) {
      Thread.sleep(100);
    }
    assertThat(done).exists();
  }

  @Test
  void aMissingProgramIsACommandFailureAndAnIoError() {
    assertThatThrownBy(() -> runner.run(CommandSpec.of("/nonexistent/limactl", "ls")))
        .isInstanceOf(CommandFailedException.class)
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot run /nonexistent/limactl ls: ")
        .satisfies(e -> assertThat(((CommandFailedException) e).exit()).isEqualTo(-1));
    assertThatThrownBy(() -> runner.stream(CommandSpec.of("/nonexistent/soci"), l -> {}))
        .isInstanceOf(CommandFailedException.class)
        .hasMessageStartingWith("cannot run /nonexistent/soci: ");
  }

  @Test
  void aChildPastItsTimeoutIsKilledAndFails() {
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () -> runner.run(CommandSpec.of("sleep", "5").withTimeout(Duration.ofMillis(200))))
        .isInstanceOf(CommandFailedException.class)
        .hasMessage("cannot run sleep 5: timed out after 200 ms")
        .satisfies(e -> assertThat(((CommandFailedException) e).exit()).isEqualTo(-1));
    assertThatThrownBy(
            () ->
                runner.stream(
                    CommandSpec.of("sh", "-c", "echo started; sleep 5")
                        .withTimeout(Duration.ofMillis(300)),
                    l -> {}))
        .isInstanceOf(CommandFailedException.class)
        .hasMessage("cannot run sh -c echo started; sleep 5: timed out after 300 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void noTimeoutByDefault() throws Exception {
    assertThat(CommandSpec.of("true").timeout()).isEmpty();
    assertThat(runner.run(CommandSpec.of("sh", "-c", "sleep 0.3; echo late")).out())
        .isEqualTo("late\n");
  }

  @Test
  void stdinSourceThatThrowsStopsTheChildBeforeTheErrorArrives(@TempDir Path tmp) {
    Path pid = tmp.resolve("pid");
    InputStream failing =
        new InputStream() {
          private int left = 3;

          @Override
          public int read() {
            if (left-- > 0) {
              return 'x';
            }
            awaitFile(pid);
            throw new IllegalStateException("digest mismatch");
          }
        };
    CommandSpec spec =
        CommandSpec.of("sh", "-c", "echo $$ > " + pid + "; cat > /dev/null; sleep 30")
            .withTimeout(Duration.ofSeconds(60));
    long start = System.nanoTime();
    assertThatThrownBy(() -> runner.run(spec, failing))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("digest mismatch");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(pid).isNotEmptyFile();
    assertThat(Path.of("/proc", readPid(pid))).as("child is gone").doesNotExist();
  }

  @Test
  void stdinStreamGoesToTheChild() throws Exception {
    CommandResult r =
        runner.run(CommandSpec.of("wc", "-c"), new java.io.ByteArrayInputStream(new byte[100_000]));
    assertThat(r.out().strip()).isEqualTo("100000");
  }

  @Test
  void displayQuotesLikeAShell() {
    assertThat(CommandSpec.of("limactl", "ls", "-f", "{{.Status}}", "a b", "it's").display())
        .isEqualTo("limactl ls -f {{.Status}} 'a b' 'it'\\''s'");
  }

  private static void awaitFile(Path f) {
    for (int i = 0; i < 1000 && !Files.exists(f); i++) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static String readPid(Path f) {
    try {
      return Files.readString(f).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
