package dev.finch.soci.util.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCommandRunnerTest {
  private final ProcessCommandRunner runner = new ProcessCommandRunner();

  @Test
  void passesStdinAndEnvAndCollectsOutput() throws IOException {
    CommandResult r = runner.run(new CommandSpec(List.of("sh", "-c", "cat; printf \" $GREETING\"; echo oops >&2; exit 3"),
        Map.of("GREETING", "hi"), "from-stdin", Duration.ofSeconds(10)));
    assertThat(r).isEqualTo(new CommandResult(3, "from-stdin hi", "oops\n"));
    assertThat(new CommandFailedException(List.of("sh", "-c", "x"), r))
        .hasMessage("sh -c x: exit status 3: oops");
  }

  @Test
  void missingProgramAndTimeoutAreIoErrors() {
    assertThatThrownBy(() -> runner.run(CommandSpec.of("/nonexistent/docker-credential-x", "get")))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> runner.run(new CommandSpec(List.of("sleep", "5"), Map.of(), null, Duration.ofMillis(200))))
        .isInstanceOf(IOException.class).hasMessageContaining("timed out");
  }

  @Test
  void stdinSourceThatThrowsStopsTheChildBeforeTheErrorArrives(@TempDir Path tmp) {
    Path pid = tmp.resolve("pid");
    InputStream failing = new InputStream() {
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
    CommandSpec spec = new CommandSpec(List.of("sh", "-c", "echo $$ > " + pid + "; cat > /dev/null; sleep 30"),
        Map.of(), null, Duration.ofSeconds(60));
    long start = System.nanoTime();
    assertThatThrownBy(() -> runner.run(spec, failing))
        .isInstanceOf(IllegalStateException.class).hasMessage("digest mismatch");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(pid).isNotEmptyFile();
    assertThat(Path.of("/proc", readPid(pid))).as("child is gone").doesNotExist();
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
      throw new java.io.UncheckedIOException(e);
    }
  }
}
