package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.cli.SociCli;
import dev.finch.soci.cli.handoff.Handoff;
import dev.finch.soci.cli.handoff.HandoffClient;
import dev.finch.soci.cli.handoff.HandoffServer;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
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
 * {@code soci image rpull} handed off to the daemon ({@link HandoffClient} to {@link HandoffServer})
 * against a real registry and containerd, with our daemon as containerd's proxy snapshotter: the
 * client gets the same lines and exit codes as a pull in its own process, its environment and
 * directory are the ones used, the snapshotter hears of each layer before its Prepare, and anything
 * that is not a well-formed rpull comes back to the client untouched.
 */
class HandoffIT {
  static RegistryFixture registry;
  static DaemonHarness daemon;
  static ContainerdFixture containerd;
  static BindMountPreparer preparer;
  static OciImage image;
  static String ref;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    TarLayer app = TarLayer.builder().dir("app").file("app/greeting.txt", "handed off\n").build();
    image = TestImages.busybox(tmp.resolve("layout"), "handoff", "v1", app);
    Path tree = Files.createDirectories(tmp.resolve("tree/app"));
    Files.writeString(tree.resolve("greeting.txt"), "handed off\n");
    preparer = new BindMountPreparer(Map.of(image.single().layers().get(1).blob().digest(), tmp.resolve("tree")));
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/handoff", "v1");
    ref = registry.hostPort() + "/it/handoff:v1";
    daemon = new DaemonHarness();
    daemon.start((config, root, events) -> preparer, DaemonConfig.defaults(), List.of(new HandoffServer()));
    containerd = ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }

  private record Run(int rc, String out, String err) {}

  private static Run handoff(Map<String, String> extraEnv, String cwd, String... args) {
    Map<String, String> env = new HashMap<>(Map.of("SOCI_SNAPSHOTTER_ADDRESS", daemon.socket.toString()));
    env.putAll(extraEnv);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = HandoffClient.run(args, env, cwd, new PrintStream(out, true), new PrintStream(err, true));
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void rpullRunsInTheDaemonWithTheClientsEnvironmentAndDirectory() throws Exception {
    String appDigest = image.single().layers().get(1).blob().digest();
    String baseDigest = image.single().layers().get(0).blob().digest();
    // containerd's socket as a path relative to the client's directory, its namespace from the env
    Path sock = containerd.socket();
    Run r = handoff(Map.of("CONTAINERD_NAMESPACE", "handoff-ns"), sock.getParent().toString(),
        "--address", sock.getFileName().toString(), "image", "rpull", "--plain-http", ref);
    assertThat(r.rc).as("stdout %s\nstderr %s\n%s", r.out, r.err, daemon.logText()).isZero();
    assertThat(r.out).contains(ref + ": resolved", "layer-" + baseDigest + ": done", "layer-" + appDigest + ": exists")
        .containsPattern("elapsed: [0-9.]+ s total: [0-9.]+ Mi");
    assertThat(daemon.logText()).contains("\"event\":\"rpull-handoff\"", "\"exit_code\":0");
    assertThat(containerd.ctr("-n", "handoff-ns", "images", "ls", "-q").stdout()).contains(ref);
    assertThat(containerd.ctr("-n", "default", "images", "ls", "-q").stdout()).doesNotContain(ref);
    // the snapshotter heard of both layers (manifest and layer digests, image name) before their Prepares
    assertThat(preparer.expected).extracting(l -> l.get("containerd.io/snapshot/cri.layer-digest"))
        .containsExactly(baseDigest, appDigest);
    assertThat(preparer.expected.getFirst()).containsEntry("containerd.io/snapshot/cri.image-ref", ref)
        .containsKey("containerd.io/snapshot/cri.manifest-digest");
    assertThat(containerd.ctr("-n", "handoff-ns", "run", "--rm", "--snapshotter", "soci", ref, "handoff-run",
        "cat", "/app/greeting.txt").stdout()).contains("handed off");
  }

  @Test
  void failuresGiveTheSameLineAndExitCodeAsInTheClientsOwnProcess() {
    String[] args = {"--address", containerd.socket().toString(), "image", "rpull", "--plain-http",
        registry.hostPort() + "/it/handoff:no-such-tag"};
    Run r = handoff(Map.of(), "/", args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int local = SociCli.run(new PrintWriter(out), new PrintWriter(err), args);
    assertThat(r.rc).isEqualTo(local).isEqualTo(1);
    assertThat(r.err).isEqualTo(err.toString()).startsWith("soci: rpull ").doesNotContain("Exception");
    assertThat(r.out).isEqualTo(out.toString());
  }

  @Test
  void whatIsNotAWellFormedRpullComesBackUntouched() {
    for (String[] args : List.of(
        new String[] {"image", "rpull", "--help"},
        new String[] {"image", "rpull"},
        new String[] {"image", "rpull", "--no-such-flag", ref},
        new String[] {"--address", containerd.socket().toString(), "index", "list"})) {
      Run r = handoff(Map.of(), "/", args);
      assertThat(r.rc).as(String.join(" ", args)).isEqualTo(Handoff.NOT_HANDED_OFF);
      assertThat(r.out + r.err).as(String.join(" ", args)).isEmpty();
    }
  }

  @Test
  void theSocketIsTheDaemonUsersOnly() throws Exception {
    Path sock = Handoff.socketFor(daemon.socket);
    assertThat(Files.getPosixFilePermissions(sock)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    // another user cannot even connect; the client then runs the pull itself
    ProcessBuilder pb = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        "test", "-w", sock.toString());
    assertThat(pb.start().waitFor()).isNotZero();
  }
}
