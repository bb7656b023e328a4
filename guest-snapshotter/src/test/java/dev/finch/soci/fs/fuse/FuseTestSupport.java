package dev.finch.soci.fs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Preconditions and checks shared by the tests that really mount. */
final class FuseTestSupport {
  private FuseTestSupport() {}

  /**
   * Skips the test unless this process is root with {@code /dev/fuse}; under {@code CI=true} a
   * missing precondition fails instead, so CI can never pass by skipping.
   */
  static void requireRootAndFuse() {
    boolean root = "root".equals(System.getProperty("user.name"));
    boolean fuse = Files.exists(Path.of("/dev/fuse"));
    String why = "needs root and /dev/fuse (root=" + root + ", /dev/fuse=" + fuse + ")";
    if ("true".equals(System.getenv("CI"))) {
      if (!root || !fuse) {
        fail("CI=true: " + why);
      }
    } else {
      assumeTrue(root && fuse, why);
    }
  }

  /** Mount points (field 5 of /proc/self/mountinfo) currently at or below {@code dir}. */
  static List<String> mountsUnder(Path dir) throws IOException {
    String prefix = dir.toAbsolutePath().normalize().toString();
    List<String> out = new ArrayList<>();
    for (String line :
        Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String mp = line.split(" ")[4].replace("\\040", " ");
      if (mp.equals(prefix) || mp.startsWith(prefix + "/")) {
        out.add(line);
      }
    }
    return out;
  }

  /** Asserts nothing is mounted at or below {@code dir}. */
  static void assertNoMountsUnder(Path dir) throws IOException {
    assertThat(mountsUnder(dir)).as("mounts left under %s", dir).isEmpty();
  }

  /** Runs a command, failing with its output if it exits non-zero. */
  static String run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) {
      fail(String.join(" ", argv) + " exited " + rc + ": " + out);
    }
    return out;
  }
}
