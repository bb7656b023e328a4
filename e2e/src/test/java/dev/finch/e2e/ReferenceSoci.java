package dev.finch.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.testkit.ContainerdProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The reference soci 0.4.1 for the tests that run it: its binaries, fetched by {@code
 * scripts/fetch-reference-soci} when missing, and its state directory, which it uses whatever
 * {@code --root} says, saved before a test class and put back after it.
 */
final class ReferenceSoci {
  private ReferenceSoci() {}

  /** Where the reference CLI and daemon keep artifacts.db and content, whatever their flags say. */
  static final Path STATE = Path.of("/var/lib/soci-snapshotter-grpc");

  /** {@code ref/soci-0.4.1/usr/bin} of this checkout, fetched first if its soci is missing. */
  static Path binDir() {
    Path root = Launchers.repoRoot();
    Path bin = root.resolve("ref/soci-0.4.1/usr/bin");
    if (!Files.isExecutable(bin.resolve("soci"))) {
      ContainerdProcess.Result f = run(root.resolve("scripts/fetch-reference-soci").toString());
      assertThat(f.exitCode()).as("fetch-reference-soci: " + f.stdout() + f.stderr()).isZero();
    }
    return bin;
  }

  /**
   * Copies {@link #STATE}, if it exists, to {@code work/saved-state}; restore it after the test.
   */
  static SavedState saveState(Path work) {
    if (!Files.exists(STATE)) {
      return new SavedState(null);
    }
    Path copy = work.resolve("saved-state");
    run("cp", "-a", STATE.toString(), copy.toString()).check();
    return new SavedState(copy);
  }

  /** {@link #STATE} as it was before a test: {@code copy} is null if there was none. */
  record SavedState(Path copy) {
    /** Drops what the test left in {@link #STATE} and puts the saved copy back. */
    void restore() {
      run("rm", "-rf", STATE.toString());
      if (copy != null) {
        run("cp", "-a", copy.toString(), STATE.toString());
      }
    }
  }

  private static ContainerdProcess.Result run(String... argv) {
    return ContainerdProcess.run(List.of(argv), Duration.ofMinutes(5));
  }
}
