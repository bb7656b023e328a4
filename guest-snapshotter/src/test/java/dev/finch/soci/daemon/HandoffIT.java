package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.cli.main.SociCli;
import dev.finch.soci.handoff.Handoff;
import dev.finch.soci.handoff.HandoffClient;
import dev.finch.soci.handoff.HandoffServer;
import dev.finch.testkit.ContainerdFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code soci image rpull} handed off to the daemon ({@link HandoffClient} to {@link
 * HandoffServer}) against a real registry and containerd, with our daemon as containerd's proxy
 * snapshotter: the client gets the same lines and exit codes as a pull in its own process, its
 * environment and directory are the ones used, the snapshotter hears of each layer before its
 * Prepare, and anything that is not a well-formed rpull comes back to the client untouched.
 */
class HandoffIT {
  static RpullStack stack;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    stack = new RpullStack(tmp, "handoff", "handed off\n", List.of(new HandoffServer()));
    stack.start();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private record Run(int rc, String out, String err) {}

  private static Run handoff(Map<String, String> extraEnv, String cwd, String... args) {
    Map<String, String> env =
        new HashMap<>(Map.of("SOCI_SNAPSHOTTER_ADDRESS", stack.daemon.socket.toString()));
    env.putAll(extraEnv);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        HandoffClient.run(args, env, cwd, new PrintStream(out, true), new PrintStream(err, true));
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void rpullRunsInTheDaemonWithTheClientsEnvironmentAndDirectory() throws Exception {
    String appDigest = stack.appDigest();
    String baseDigest = stack.baseDigest();
    // containerd's socket as a path relative to the client's directory, its namespace from the env
    Path sock = stack.containerd.socket();
    Run r =
        handoff(
            Map.of("CONTAINERD_NAMESPACE", "handoff-ns"),
            sock.getParent().toString(),
            "--address",
            sock.getFileName().toString(),
            "image",
            "rpull",
            "--plain-http",
            stack.ref);
    assertThat(r.rc).as("stdout %s\nstderr %s\n%s", r.out, r.err, stack.daemon.logText()).isZero();
    assertThat(r.out)
        .contains(
            stack.ref + ": resolved",
            "layer-" + baseDigest + ": done",
            "layer-" + appDigest + ": exists")
        .containsPattern("elapsed: [0-9.]+ s total: [0-9.]+ Mi");
    assertThat(stack.daemon.logText()).contains("\"event\":\"rpull-handoff\"", "\"exit_code\":0");
    assertThat(stack.containerd.ctr("-n", "handoff-ns", "images", "ls", "-q").stdout())
        .contains(stack.ref);
    assertThat(stack.containerd.ctr("-n", "default", "images", "ls", "-q").stdout())
        .doesNotContain(stack.ref);
    // the snapshotter heard of both layers (manifest and layer digests, image name) before their
    // Prepares
    assertThat(stack.preparer.expected)
        .extracting(l -> l.get("containerd.io/snapshot/cri.layer-digest"))
        .containsExactly(baseDigest, appDigest);
    assertThat(stack.preparer.expected.getFirst())
        .containsEntry("containerd.io/snapshot/cri.image-ref", stack.ref)
        .containsKey("containerd.io/snapshot/cri.manifest-digest");
    assertThat(
            stack
                .containerd
                .ctr(
                    "-n",
                    "handoff-ns",
                    "run",
                    "--rm",
                    "--snapshotter",
                    "soci",
                    stack.ref,
                    "handoff-run",
                    "cat",
                    "/app/greeting.txt")
                .stdout())
        .contains("handed off");
  }

  @Test
  void failuresGiveTheSameLineAndExitCodeAsInTheClientsOwnProcess() {
    String[] args = {
      "--address",
      stack.containerd.socket().toString(),
      "image",
      "rpull",
      "--plain-http",
      stack.registry.hostPort() + "/it/handoff:no-such-tag"
    };
    Run r = handoff(Map.of(), "/", args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int local = SociCli.run(new PrintWriter(out), new PrintWriter(err), args);
    assertThat(r.rc).isEqualTo(local).isEqualTo(1);
    assertThat(r.err)
        .isEqualTo(err.toString())
        .startsWith("soci: rpull ")
        .doesNotContain("Exception");
    assertThat(r.out).isEqualTo(out.toString());
  }

  @Test
  void whatIsNotAWellFormedRpullComesBackUntouched() {
    for (String[] args :
        List.of(
            new String[] {"image", "rpull", "--help"},
            new String[] {"image", "rpull"},
            new String[] {"image", "rpull", "--no-such-flag", stack.ref},
            new String[] {"--address", stack.containerd.socket().toString(), "index", "list"})) {
      Run r = handoff(Map.of(), "/", args);
      assertThat(r.rc).as(String.join(" ", args)).isEqualTo(Handoff.NOT_HANDED_OFF);
      assertThat(r.out + r.err).as(String.join(" ", args)).isEmpty();
    }
  }

  @Test
  void theSocketIsTheDaemonUsersOnly() throws Exception {
    Path sock = Handoff.socketFor(stack.daemon.socket);
    assertThat(Files.getPosixFilePermissions(sock))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    // another user cannot even connect; the client then runs the pull itself
    ProcessBuilder pb =
        new ProcessBuilder(
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "test",
            "-w",
            sock.toString());
    assertThat(pb.start().waitFor()).isNotZero();
  }
}
