package dev.finch.soci.util.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
