package dev.finch.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.ManagedProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The packaged launchers under build/bin, run as processes the way users run them. */
final class Launchers {
  private Launchers() {}

  static Path repoRoot() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("Makefile"))) {
      p = p.getParent();
    }
    assertThat(p)
        .as("repository root (a folder with a Makefile) above " + System.getProperty("user.dir"))
        .isNotNull();
    return p;
  }

  static Path soci() {
    Path soci = repoRoot().resolve("build/bin/soci");
    assertThat(soci).as("run `make build` first").isExecutable();
    return soci;
  }

  static ContainerdProcess.Result run(Path binary, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(binary.toString());
    argv.addAll(List.of(args));
    return ContainerdProcess.run(argv, Duration.ofMinutes(3));
  }

  /** A launcher already bound to its environment and containerd: takes only the arguments. */
  @FunctionalInterface
  interface Cli {
    ContainerdProcess.Result run(String... args);
  }

  /**
   * Pulls {@code image} into containerd's "finch" namespace, then pushes it back through {@code
   * finch} with SOCI indexes built (minimum layer size 1000000 bytes), and checks that the CLI
   * reported a ztoc for a layer. The packaged-launcher tests all push this way first.
   */
  static void pushWithSoci(Cli finch, ContainerdFixture containerd, String image) {
    containerd.ctrIn("finch", "images", "pull", "--plain-http", image).check();
    ContainerdProcess.Result push =
        finch.run(
            "--insecure-registry",
            "push",
            "--snapshotter",
            "soci",
            "--soci-min-layer-size",
            "1000000",
            image);
    assertThat(push.exitCode()).as(push.toString()).isZero();
    assertThat(push.stdout() + push.stderr())
        .contains("soci: layer sha256:")
        .contains("-> ztoc sha256:");
  }

  /**
   * {@code finch pull IMAGE} then {@code finch run --rm IMAGE cat /etc/os-release} through {@code
   * finch}: both exit 0 (failures show the daemon's log), the container printed {@code osRelease},
   * and the daemon prepared a layer as a remote snapshot, i.e. the pull was lazy.
   */
  static void pullAndRunLazily(Cli finch, ManagedProcess daemon, String image, String osRelease) {
    ContainerdProcess.Result pull = finch.run("--insecure-registry", "pull", image);
    assertThat(pull.exitCode()).as(pull.toString() + daemon.logTail(30)).isZero();
    ContainerdProcess.Result run = finch.run("run", "--rm", image, "cat", "/etc/os-release");
    assertThat(run.exitCode()).as(run.toString() + daemon.logTail(30)).isZero();
    assertThat(run.stdout()).contains(osRelease);
    assertThat(daemon.logTail(200)).contains("remote-snapshot-prepared");
  }
}
