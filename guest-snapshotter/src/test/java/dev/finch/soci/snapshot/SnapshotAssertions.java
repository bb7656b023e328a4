package dev.finch.soci.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Shared assertions for snapshotter tests. */
public final class SnapshotAssertions {
  private SnapshotAssertions() {}

  @FunctionalInterface
  public interface Call {
    void run() throws Exception;
  }

  /** Asserts {@code call} fails with a {@link SnapshotException} of {@code kind} and returns it. */
  public static SnapshotException expectError(ErrorKind kind, Call call) {
    SnapshotException e =
        catchThrowableOfType(
            SnapshotException.class,
            () -> {
              call.run();
            });
    assertThat(e).as("expected a %s failure", kind).isNotNull();
    assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
    assertThat(e.getMessage()).endsWith(": " + kind.text());
    return e;
  }

  /** Entry names under {@code <root>/snapshots}. */
  public static java.util.List<String> snapshotDirs(Path root) throws IOException {
    try (Stream<Path> s = Files.list(root.resolve("snapshots"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
