package dev.finch.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.config.FinchConfig;
import dev.finch.config.HostFacts;
import dev.finch.config.HostOs;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandSpec;
import dev.finch.process.RecordingLog;
import dev.finch.process.RecordingRunner;
import dev.finch.vm.GuestShell;
import dev.finch.vm.InstallLayout;
import dev.finch.vm.LimaBackend;
import dev.finch.vm.NativeGuest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnginesTest {
  static final HostFacts MAC =
      new HostFacts(
          HostOs.MACOS,
          "aarch64",
          8,
          16L << 30,
          15,
          Path.of("/Users/me"),
          Map.of("PATH", "/usr/bin"));
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final RecordingRunner runner = new RecordingRunner();
  @TempDir Path tmp;
  String limactl;

  @BeforeEach
  void setUp() {
    limactl = tmp.resolve("lima/bin/limactl").toString();
  }

  static FinchConfig config(List<String> snapshotters) {
    return FinchConfig.builder().memory("4GiB").vmType("vz").snapshotters(snapshotters).build();
  }

  Translation translate(HostOs os, List<String> snapshotters, String argv) throws Exception {
    return new ArgTranslator(
            new TranslationContext(
                os,
                Map.of("AWS_PROFILE", "dev"),
                "/Users/me",
                config(snapshotters),
                p -> List.of(),
                () -> "172.29.96.1"))
        .translate(Arrays.asList(argv.split(" ")));
  }

  NerdctlEngine lima(boolean soci) {
    return new NerdctlEngine(
        new LimaBackend(new InstallLayout(tmp), MAC),
        runner,
        Path.of("/Users/me"),
        "nerdctl",
        "soci",
        Map.of(),
        soci,
        new RecordingLog());
  }

  List<String> shell(String... guest) {
    List<String> a = new ArrayList<>(List.of(limactl, "shell", "finch", "sudo", "-E"));
    a.addAll(List.of(guest));
    return a;
  }

  @Test
  void passThroughRunsLimactlShellWithEnvAndReturnsGuestExitCode() throws Exception {
    runner.when(List.of("nerdctl"), new CommandResult(3, "", ""));
    int rc =
        lima(false)
            .execute(
                translate(HostOs.MACOS, List.of(), "run --rm alpine false"),
                new PrintWriter(out),
                new PrintWriter(err));
    assertThat(rc).isEqualTo(3);
    CommandSpec spec = runner.specs().getFirst();
    assertThat(spec.argv())
        .containsExactlyElementsOf(
            shell(
                "AWS_PROFILE=dev",
                "nerdctl",
                "--snapshotter=overlayfs",
                "container",
                "run",
                "--rm",
                "alpine",
                "false"));
    assertThat(spec.env()).containsEntry("LIMA_HOME", tmp.resolve("lima/data").toString());
    assertThat(spec.io()).isEqualTo(CommandSpec.Io.INHERIT);
    assertThat(spec.stdin()).isInstanceOf(CommandSpec.Stdin.Inherit.class);
  }

  @Test
  void helpIsCapturedAndShowsFinch() throws Exception {
    runner.when(List.of("nerdctl"), new CommandResult(0, "Usage: nerdctl pull [flags]\n", ""));
    lima(false)
        .execute(
            translate(HostOs.MACOS, List.of(), "pull --help"),
            new PrintWriter(out),
            new PrintWriter(err));
    assertThat(out.toString()).isEqualTo("Usage: finch pull [flags]\n");
  }

  @Test
  void sociPushBuildsTheIndexDuringTheImagePushThenPushesIt() throws Exception {
    CountDownLatch createStarted = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<String> told =
        new java.util.concurrent.atomic.AtomicReference<>();
    runner
        .answer(
            List.of("nerdctl", "--snapshotter=overlayfs", "push"),
            s -> new CommandResult(await(createStarted) ? 0 : 99, "", ""))
        .answer(
            List.of("soci", "--namespace", "finch", "create"),
            s -> {
              createStarted.countDown();
              // as soci does: the index manifest only once told go on its standard input
              String in =
                  ((CommandSpec.Stdin.Later) s.stdin())
                      .text()
                      .completeOnTimeout(null, 10, TimeUnit.SECONDS)
                      .join();
              told.set(in);
              return new CommandResult(
                  0,
                  "layer sha256:aaa -> ztoc sha256:bbb\n"
                      + "layer sha256:ccc -> ztoc skipped - layer size 5 is less than"
                      + " min-layer-size 10\n"
                      + "successfully pushed artifact with digest: sha256:bbb\n"
                      + ("go\n".equals(in)
                          ? "pushing soci index with digest: sha256:ddd\n"
                              + "successfully pushed artifact with digest: sha256:ddd\n"
                          : ""),
                  "");
            });
    int rc =
        lima(true)
            .execute(
                translate(
                    HostOs.MACOS,
                    List.of("soci"),
                    "push --soci-span-size 2097152 localhost:5000/x:1"),
                new PrintWriter(out),
                new PrintWriter(err));
    assertThat(rc).as("the image push ended only after soci create had started").isZero();
    assertThat(told.get()).as("soci was told go once the image was pushed").isEqualTo("go\n");
    List<String> imagePush =
        shell(
            "AWS_PROFILE=dev", "nerdctl", "--snapshotter=overlayfs", "push", "localhost:5000/x:1");
    List<String> create =
        shell(
            "AWS_PROFILE=dev",
            "soci",
            "--namespace",
            "finch",
            "create",
            "--span-size=2097152",
            "--lazy-ztoc",
            "--file-checkpoints",
            "--push",
            "--wait-for-go",
            "localhost:5000/x:1");
    assertThat(runner.argvs()).containsExactlyInAnyOrder(imagePush, create);
    assertThat(out.toString())
        .isEqualTo(
            """
            soci: building the SOCI index while the image uploads
            soci: layer sha256:aaa -> ztoc sha256:bbb
            soci: layer sha256:ccc -> ztoc skipped - layer size 5 is less than min-layer-size 10
            soci: successfully pushed artifact with digest: sha256:bbb
            soci: pushing soci index with digest: sha256:ddd
            soci: successfully pushed artifact with digest: sha256:ddd
            """);
  }

  static boolean await(CountDownLatch latch) {
    try {
      return latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void failedImagePushSkipsSociPush() throws Exception {
    runner.when(List.of("push"), new CommandResult(1, "", ""));
    int rc =
        lima(true)
            .execute(
                translate(HostOs.MACOS, List.of("soci"), "push r/x"),
                new PrintWriter(out),
                new PrintWriter(err));
    assertThat(rc).isEqualTo(1);
    assertThat(runner.argvs())
        .hasSize(2)
        .noneMatch(a -> a.containsAll(List.of("soci", "push")))
        .anyMatch(a -> a.containsAll(List.of("soci", "create")));
    assertThat(err.toString())
        .isEqualTo(
            "finch push: the image push failed with exit status 1; its SOCI index was not"
                + " pushed\n");
  }

  @Test
  void versionsFromNerdctlJsonAndSoci() throws Exception {
    runner
        .when(
            List.of("version", "--format", "json"),
            new CommandResult(
                0,
                """
                {"Client":{"Version":"v2.2.2","GitCommit":"abc","Components":[{"Name":"buildctl","Version":"v0.28.1","Details":{"GitCommit":"b1"}}]},
                 "Server":{"Components":[{"Name":"containerd","Version":"v2.2.1","Details":{"GitCommit":"c1"}},{"Name":"runc","Version":"1.4.0","Details":{"GitCommit":"r1"}}]}}
                """,
                ""))
        .when(
            List.of("soci", "--version"),
            new CommandResult(0, "soci version v0.1.0 deadbeef\n", ""));
    GuestVersions v = lima(true).versions();
    assertThat(v.nerdctl()).contains(new Component("nerdctl", "v2.2.2", "abc"));
    assertThat(v.clientComponents()).containsExactly(new Component("buildctl", "v0.28.1", "b1"));
    assertThat(v.server())
        .containsExactly(
            new Component("containerd", "v2.2.1", "c1"),
            new Component("runc", "1.4.0", "r1"),
            new Component("soci-snapshotter", "v0.1.0", ""));
    assertThat(runner.argvs())
        .containsExactly(
            shell("nerdctl", "version", "--format", "json"), shell("soci", "--version"));
  }

  @Test
  void nativeNerdctlRunsLocallyInTheFinchNamespace() throws Exception {
    NerdctlEngine nat =
        new NerdctlEngine(
            new NativeGuest(),
            runner,
            Path.of("/work"),
            "/usr/local/bin/nerdctl",
            "/usr/local/bin/soci",
            Map.of("CONTAINERD_NAMESPACE", "finch"),
            false,
            new RecordingLog());
    nat.execute(
        translate(HostOs.LINUX, List.of(), "images"), new PrintWriter(out), new PrintWriter(err));
    CommandSpec spec = runner.specs().getFirst();
    assertThat(spec.argv())
        .containsExactly("/usr/local/bin/nerdctl", "--snapshotter=overlayfs", "images");
    assertThat(spec.env()).containsExactly(Map.entry("CONTAINERD_NAMESPACE", "finch"));
    assertThat(spec.workdir()).contains(Path.of("/work"));
  }

  // ---- ctr + soci engine ----

  String bin(String name) throws Exception {
    Path dir = tmp.resolve("bin");
    Files.createDirectories(dir);
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p.toString();
  }

  CtrSociEngine ctrEngine() {
    return new CtrSociEngine(
        runner,
        new dev.finch.vm.NativeGuest(),
        new BinaryLocator(Map.of("PATH", tmp.resolve("bin").toString()), List.of()),
        Path.of("/work"),
        new RecordingLog());
  }

  int ctr(List<String> snapshotters, String argv) throws Exception {
    return ctrEngine()
        .execute(
            translate(HostOs.LINUX, snapshotters, argv),
            new PrintWriter(out),
            new PrintWriter(err));
  }

  @Test
  void ctrEnginePullUsesCtrOrSociRpull() throws Exception {
    String ctr = bin("ctr");
    String soci = bin("soci");
    ctr(List.of(), "pull alpine");
    ctr(List.of("soci"), "--insecure-registry pull localhost:5000/x:1");
    assertThat(runner.argvs())
        .containsExactly(
            List.of(
                ctr,
                "--namespace",
                "finch",
                "images",
                "pull",
                "--snapshotter",
                "overlayfs",
                "docker.io/library/alpine:latest"),
            List.of(
                soci,
                "--namespace",
                "finch",
                "image",
                "rpull",
                "--plain-http",
                "localhost:5000/x:1"));
    assertThat(runner.specs())
        .allSatisfy(s -> assertThat(s.io()).isEqualTo(CommandSpec.Io.INHERIT));
  }

  @Test
  void ctrEngineRunPullsWhenMissingThenRuns() throws Exception {
    String ctr = bin("ctr");
    runner.when(s -> s.argv().contains("-q"), new CommandResult(0, "", ""));
    runner.when(s -> s.argv().contains("run"), new CommandResult(7, "", ""));
    int rc = ctr(List.of(), "run --rm -t -e A=1 --name web -v /srv:/data:ro alpine echo hi");
    assertThat(rc).isEqualTo(7);
    assertThat(runner.argvs())
        .containsExactly(
            List.of(
                ctr,
                "--namespace",
                "finch",
                "images",
                "ls",
                "-q",
                "name==docker.io/library/alpine:latest"),
            List.of(
                ctr,
                "--namespace",
                "finch",
                "images",
                "pull",
                "--snapshotter",
                "overlayfs",
                "docker.io/library/alpine:latest"),
            List.of(
                ctr,
                "--namespace",
                "finch",
                "run",
                "--snapshotter",
                "overlayfs",
                "--rm",
                "--tty",
                "--mount",
                "type=bind,src=/srv,dst=/data,options=rbind:ro",
                "--env",
                "A=1",
                "docker.io/library/alpine:latest",
                "web",
                "echo",
                "hi"));
  }

  @Test
  void ctrEngineRunTakesTheSnapshotterAsTwoWords() throws Exception {
    String ctr = bin("ctr");
    runner.when(s -> s.argv().contains("-q"), new CommandResult(0, "x\n", ""));
    runner.when(s -> s.argv().contains("run"), new CommandResult(0, "", ""));
    assertThat(ctr(List.of("soci"), "run --rm --snapshotter overlayfs alpine true")).isZero();
    assertThat(runner.argvs().getLast())
        .containsExactly(
            ctr,
            "--namespace",
            "finch",
            "run",
            "--snapshotter",
            "overlayfs",
            "--rm",
            "docker.io/library/alpine:latest",
            runner.argvs().getLast().get(8),
            "true");
  }

  @Test
  void ctrEngineInAVmRunsCtrAndSociFromTheGuestsPath() throws Exception {
    GuestShell vm =
        new GuestShell() {
          @Override
          public CommandSpec command(List<String> argv, Map<String, String> env, Path cwd) {
            List<String> a = new java.util.ArrayList<>(List.of("ssh", "guest", "--"));
            a.addAll(argv);
            return CommandSpec.of(a).interactive();
          }
        };
    runner.when(s -> true, new CommandResult(0, "", ""));
    CtrSociEngine e =
        new CtrSociEngine(
            runner,
            vm,
            new BinaryLocator(Map.of("PATH", "/nowhere"), List.of()),
            Path.of("/work"),
            new RecordingLog());
    assertThat(
            e.execute(
                translate(HostOs.LINUX, List.of("soci"), "pull 10.0.2.2:5000/x:1"),
                new PrintWriter(out),
                new PrintWriter(err)))
        .isZero();
    assertThat(runner.argvs())
        .containsExactly(
            List.of(
                "ssh",
                "guest",
                "--",
                "soci",
                "--namespace",
                "finch",
                "image",
                "rpull",
                "10.0.2.2:5000/x:1"));
  }

  @Test
  void ctrEngineImagesTagRmiPush() throws Exception {
    String ctr = bin("ctr");
    String soci = bin("soci");
    runner.when(
        List.of("images", "ls"),
        new CommandResult(
            0,
            "REF TYPE DIGEST SIZE PLATFORMS LABELS\n"
                + "docker.io/library/alpine:latest application/vnd.oci.image.index.v1+json"
                + " sha256:0123456789abcdef 3.5 MiB linux/amd64 -\n"
                + "localhost:5000/a:1 application/vnd.oci.image.index.v1+json"
                + " sha256:0123456789abcdef 3.5 MiB linux/amd64 -\n",
            ""));
    ctr(List.of(), "images");
    ctr(List.of(), "tag alpine localhost:5000/a:1");
    ctr(List.of(), "rmi -f localhost:5000/a:1");
    runner.when(
        List.of("create"), new CommandResult(0, "layer sha256:aaa -> ztoc sha256:bbb\n", ""));
    ctr(List.of("soci"), "push --insecure-registry --soci-min-layer-size 0 localhost:5000/a:1");
    List<List<String>> argvs = runner.argvs();
    assertThat(argvs).hasSize(6);
    assertThat(argvs.subList(0, 4))
        .containsExactly(
            List.of(ctr, "--namespace", "finch", "images", "ls"),
            List.of(
                ctr,
                "--namespace",
                "finch",
                "images",
                "tag",
                "docker.io/library/alpine:latest",
                "localhost:5000/a:1"),
            List.of(ctr, "--namespace", "finch", "images", "ls"),
            List.of(ctr, "--namespace", "finch", "images", "rm", "localhost:5000/a:1"));
    // the image push and one soci, which builds and pushes the index, run at the same time
    assertThat(argvs.subList(4, 6))
        .containsExactlyInAnyOrder(
            List.of(
                ctr,
                "--namespace",
                "finch",
                "images",
                "push",
                "--plain-http",
                "localhost:5000/a:1"),
            List.of(
                soci,
                "--namespace",
                "finch",
                "create",
                "--span-size=1048576",
                "--lazy-ztoc",
                "--file-checkpoints",
                "--min-layer-size=0",
                "--push",
                "--wait-for-go",
                "--skip-verify",
                "--plain-http",
                "localhost:5000/a:1"));
    assertThat(out.toString())
        .startsWith("REPOSITORY")
        .contains("docker.io/library/alpine")
        .contains("latest")
        .contains("0123456789ab")
        .contains("3.5 MiB")
        .contains("soci: layer sha256:aaa -> ztoc sha256:bbb");
  }

  @Test
  void ctrEngineRmiFailsAsNerdctlDoesForAMissingImage() throws Exception {
    String ctr = bin("ctr");
    runner.when(
        List.of("images", "ls"),
        new CommandResult(
            0,
            """
            REF TYPE DIGEST SIZE PLATFORMS LABELS
            docker.io/library/alpine:latest application/vnd.oci.image.index.v1+json sha256:0123456789abcdef 3.5 MiB linux/amd64 -
            localhost:5000/a:1 application/vnd.oci.image.index.v1+json sha256:0123456789abcdef 3.5 MiB linux/amd64 -
            localhost:5000/b:1 application/vnd.oci.image.index.v1+json sha256:fedcba9876543210 1.0 MiB linux/amd64 -
            """,
            ""));
    List<String> rm = List.of(ctr, "--namespace", "finch", "images", "rm");

    assertThatThrownBy(() -> ctr(List.of(), "rmi :::"))
        .isInstanceOf(BridgeException.class)
        .hasMessage("no such image: :::");
    assertThatThrownBy(() -> ctr(List.of(), "rmi 127.0.0.1:1/nonexistent:zz"))
        .hasMessage("no such image: 127.0.0.1:1/nonexistent:zz");
    assertThat(runner.argvs()).noneMatch(a -> a.containsAll(rm));

    // the images that exist are removed first; then each missing one is named
    assertThatThrownBy(() -> ctr(List.of(), "rmi alpine nope localhost:5000/b:1 gone:1"))
        .hasMessage("no such image: nope; no such image: gone:1");
    assertThat(runner.argvs().getLast())
        .isEqualTo(concat(rm, "docker.io/library/alpine:latest", "localhost:5000/b:1"));

    // an image ID (a digest prefix) names every image with that digest: ambiguous without -f
    assertThatThrownBy(() -> ctr(List.of(), "rmi 0123456789ab"))
        .hasMessage("multiple IDs found with provided prefix: 0123456789ab");
    assertThat(ctr(List.of(), "rmi -f 0123456789ab")).isZero();
    assertThat(runner.argvs().getLast())
        .isEqualTo(concat(rm, "docker.io/library/alpine:latest", "localhost:5000/a:1"));
    assertThat(ctr(List.of(), "rmi sha256:fedcba")).isZero();
    assertThat(runner.argvs().getLast()).isEqualTo(concat(rm, "localhost:5000/b:1"));

    // -f: a missing image is a warning, as nerdctl logs it, and the exit status is ctr's
    RecordingLog log = new RecordingLog();
    CtrSociEngine engine =
        new CtrSociEngine(
            runner,
            new NativeGuest(),
            new BinaryLocator(Map.of("PATH", tmp.resolve("bin").toString()), List.of()),
            Path.of("/work"),
            log);
    int before = runner.specs().size();
    assertThat(
            engine.execute(
                translate(HostOs.LINUX, List.of(), "rmi --force nope"),
                new PrintWriter(out),
                new PrintWriter(err)))
        .isZero();
    assertThat(log.lines).containsExactly("WARN no such image: nope");
    assertThat(runner.specs()).hasSize(before + 1); // the listing only

    assertThatThrownBy(() -> ctr(List.of(), "rmi"))
        .hasMessage("\"finch rmi\" requires at least 1 argument");
  }

  static List<String> concat(List<String> a, String... more) {
    List<String> out = new ArrayList<>(a);
    out.addAll(List.of(more));
    return out;
  }

  @Test
  void ctrEngineNamesWhatIsMissing() throws Exception {
    bin("ctr");
    assertThatThrownBy(() -> ctr(List.of(), "ps"))
        .hasMessage(
            "finch ps: needs nerdctl, which is not installed; supported without it: pull, run,"
                + " images, tag, rmi, push");
    assertThatThrownBy(() -> ctr(List.of(), "run --privileged alpine"))
        .hasMessageStartingWith("finch run --privileged: needs nerdctl, which is not installed");
    assertThatThrownBy(() -> ctr(List.of(), "run -v vol:/data alpine"))
        .hasMessageContaining("only /host/path:/container/path[:ro] bind mounts");
    assertThatThrownBy(() -> ctr(List.of("soci"), "pull alpine"))
        .hasMessage(
            "the soci snapshotter needs soci, which was not found on PATH or next to finch");
  }

  @Test
  void ctrEngineVersions() throws Exception {
    String ctr = bin("ctr");
    runner.when(
        List.of("version"),
        new CommandResult(
            0,
            "Client:\n"
                + "  Version:  1.6.20~ds1\n"
                + "  Revision: 1.6.20~ds1-1+b1\n\n"
                + "Server:\n"
                + "  Version:  1.6.21\n"
                + "  Revision: abc\n",
            ""));
    GuestVersions v = ctrEngine().versions();
    assertThat(v.nerdctl()).isEmpty();
    assertThat(v.server()).containsExactly(new Component("containerd", "1.6.21", "abc"));
    assertThat(runner.argvs()).containsExactly(List.of(ctr, "version"));
  }

  @Test
  void windowsHostGatewayComesFromNetsh() throws Exception {
    runner.when(
        List.of("netsh"),
        new CommandResult(
            0,
            """
            Configuration for interface "vEthernet (WSL)"
                DHCP enabled:                         No
                IP Address:                           172.29.96.1
                Subnet Prefix:                        172.29.96.0/20 (mask 255.255.240.0)
            """,
            ""));
    assertThat(new WslHostGateway(runner).address()).isEqualTo("172.29.96.1");
    assertThat(runner.argvs())
        .containsExactly(
            List.of("netsh", "interface", "ipv4", "show", "addresses", "vEthernet (WSL)"));
    RecordingRunner empty = new RecordingRunner();
    assertThatThrownBy(() -> new WslHostGateway(empty).address())
        .hasMessage(
            "cannot resolve "
                + "host-gateway: no IP address found for the \"vEthernet (WSL)\" network adapter");
  }

  @Test
  void imageRefsAreNormalizedForCtr() {
    assertThat(ImageRefs.normalize("alpine")).isEqualTo("docker.io/library/alpine:latest");
    assertThat(ImageRefs.normalize("me/app:2")).isEqualTo("docker.io/me/app:2");
    assertThat(ImageRefs.normalize("localhost:5000/x")).isEqualTo("localhost:5000/x:latest");
    assertThat(ImageRefs.normalize("public.ecr.aws/a/b@sha256:00"))
        .isEqualTo("public.ecr.aws/a/b@sha256:00");
  }
}
