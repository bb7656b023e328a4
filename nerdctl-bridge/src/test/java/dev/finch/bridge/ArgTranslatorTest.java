package dev.finch.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.config.FinchConfig;
import dev.finch.config.HostOs;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: finch argv in, nerdctl argv (and forwarded env) out. */
class ArgTranslatorTest {
  static final Map<String, String> HOST_ENV =
      Map.of(
          "HOME_VAR",
          "from-host",
          "AWS_PROFILE",
          "dev",
          "DOCKER_CONFIG",
          "/Users/me/.docker",
          "UNLISTED",
          "secret",
          "COMPOSE_FILE",
          "C:\\a\\c.yml");
  static final Map<String, List<String>> FILES =
      Map.of(
          "app.env", List.of("# comment", "", "A=1", "HOME_VAR", "MISSING", "B=two words"),
          "C:\\cfg\\win.env", List.of("W=1"));

  static FinchConfig config(List<String> snapshotters, boolean dockercompat) {
    return FinchConfig.builder()
        .memory("4GiB")
        .vmType("vz")
        .snapshotters(snapshotters)
        .dockercompat(dockercompat)
        .build();
  }

  static TranslationContext ctx(HostOs os, List<String> snapshotters) {
    return new TranslationContext(
        os,
        HOST_ENV,
        os == HostOs.WINDOWS ? "C:\\Users\\me\\proj" : "/Users/me/proj",
        config(snapshotters, true),
        path -> {
          List<String> lines = FILES.get(path);
          if (lines == null) {
            throw new NoSuchFileException(path);
          }
          return lines;
        },
        () -> "172.29.96.1");
  }

  static List<String> w(String s) {
    return Arrays.asList(s.split(" "));
  }

  static Stream<Arguments> table() {
    HostOs mac = HostOs.MACOS;
    HostOs win = HostOs.WINDOWS;
    List<String> none = List.of();
    List<String> soci = List.of("soci", "overlayfs");
    return Stream.of(
        // name, os, snapshotters, finch argv, nerdctl argv
        Arguments.of("plain images", mac, none, "images", "nerdctl --snapshotter=overlayfs images"),
        Arguments.of(
            "default snapshotter is first listed",
            mac,
            soci,
            "pull alpine",
            "nerdctl --snapshotter=soci pull alpine"),
        Arguments.of(
            "explicit global snapshotter kept",
            mac,
            soci,
            "--snapshotter=overlayfs pull alpine",
            "nerdctl --snapshotter=overlayfs pull alpine"),
        Arguments.of(
            "explicit snapshotter after command",
            mac,
            soci,
            "pull --snapshotter overlayfs alpine",
            "nerdctl pull --snapshotter overlayfs alpine"),
        Arguments.of(
            "global with value before command",
            mac,
            none,
            "--namespace other ps -a",
            "nerdctl --snapshotter=overlayfs --namespace other ps -a"),
        Arguments.of(
            "run alias and env",
            mac,
            none,
            "run --rm -e A=1 -e HOME_VAR -e NOPE alpine env",
            "nerdctl --snapshotter=overlayfs container run --rm -e A=1 -e HOME_VAR=from-host alpine env"),
        Arguments.of(
            "env-file read on host, CLI wins",
            mac,
            none,
            "run --env-file app.env -e A=9 --name x alpine",
            "nerdctl --snapshotter=overlayfs container run --name x -e A=9 -e HOME_VAR=from-host -e B=two_words alpine"),
        Arguments.of(
            "combined short flags",
            mac,
            none,
            "run -itp 80:80 alpine sh",
            "nerdctl --snapshotter=overlayfs container run -i -t -p 80:80 alpine sh"),
        Arguments.of(
            "attached env value",
            mac,
            none,
            "run -eX=1 --env=Y=2 alpine",
            "nerdctl --snapshotter=overlayfs container run -e X=1 -e Y=2 alpine"),
        Arguments.of(
            "args after image untouched",
            mac,
            none,
            "run alpine sh -c -e",
            "nerdctl --snapshotter=overlayfs container run alpine sh -c -e"),
        Arguments.of(
            "unknown long flag takes a value",
            mac,
            none,
            "run --health-retries -5 alpine",
            "nerdctl --snapshotter=overlayfs container run --health-retries -5 alpine"),
        Arguments.of(
            "host-gateway on macOS",
            mac,
            none,
            "run --add-host h:host-gateway alpine",
            "nerdctl --snapshotter=overlayfs container run --add-host h:192.168.5.2 alpine"),
        Arguments.of(
            "host-gateway on Windows",
            win,
            none,
            "run --add-host=h:host-gateway alpine",
            "nerdctl --snapshotter=overlayfs container run --add-host=h:172.29.96.1 alpine"),
        Arguments.of(
            "host-gateway on Linux is nerdctl's",
            HostOs.LINUX,
            none,
            "run --add-host h:host-gateway alpine",
            "nerdctl --snapshotter=overlayfs container run --add-host h:host-gateway alpine"),
        Arguments.of(
            "mount consistency dropped",
            mac,
            none,
            "run --mount type=bind,src=/a,dst=/b,consistency=cached alpine",
            "nerdctl --snapshotter=overlayfs container run --mount type=bind,src=/a,dst=/b alpine"),
        Arguments.of(
            "container run group form",
            mac,
            none,
            "container run -d alpine",
            "nerdctl --snapshotter=overlayfs container run -d alpine"),
        Arguments.of(
            "build alias + dockercompat --load",
            mac,
            none,
            "build --load -t x .",
            "nerdctl --snapshotter=overlayfs image build --output=type=docker -t x ."),
        Arguments.of(
            "windows volume",
            win,
            none,
            "run -v C:\\src:/app:ro alpine",
            "nerdctl --snapshotter=overlayfs container run -v /mnt/c/src:/app:ro alpine"),
        Arguments.of(
            "windows relative volume",
            win,
            none,
            "run -v .\\data:/d alpine",
            "nerdctl --snapshotter=overlayfs container run -v /mnt/c/Users/me/proj/data:/d alpine"),
        Arguments.of(
            "windows posix volume untouched",
            win,
            none,
            "run -v /srv:/d alpine",
            "nerdctl --snapshotter=overlayfs container run -v /srv:/d alpine"),
        Arguments.of(
            "windows env-file path read on host",
            win,
            none,
            "run --env-file C:\\cfg\\win.env alpine",
            "nerdctl --snapshotter=overlayfs container run -e W=1 alpine"),
        Arguments.of(
            "windows mount src",
            win,
            none,
            "run --mount type=bind,src=C:\\x,dst=/x alpine",
            "nerdctl --snapshotter=overlayfs container run --mount type=bind,src=/mnt/c/x,dst=/x alpine"),
        Arguments.of(
            "windows build file and context",
            win,
            none,
            "build -f D:\\b\\Dockerfile --iidfile=id.txt -o type=local,dest=C:\\out C:\\ctx",
            "nerdctl --snapshotter=overlayfs image build -f /mnt/d/b/Dockerfile --iidfile=id.txt -o type=local,dest=/mnt/c/out /mnt/c/ctx"),
        Arguments.of(
            "windows save alias and path",
            win,
            none,
            "save -o C:\\img.tar alpine",
            "nerdctl --snapshotter=overlayfs image save -o /mnt/c/img.tar alpine"),
        Arguments.of(
            "windows load alias and path",
            win,
            none,
            "load --input=C:\\img.tar",
            "nerdctl --snapshotter=overlayfs image load --input=/mnt/c/img.tar"),
        Arguments.of(
            "windows cp host side only",
            win,
            none,
            "cp C:\\f.txt box:/tmp/f.txt",
            "nerdctl --snapshotter=overlayfs container cp /mnt/c/f.txt box:/tmp/f.txt"),
        Arguments.of(
            "windows compose file",
            win,
            none,
            "compose -f C:\\p\\compose.yml up -d",
            "nerdctl --snapshotter=overlayfs compose -f /mnt/c/p/compose.yml up -d"),
        Arguments.of(
            "macOS save is not aliased",
            mac,
            none,
            "save -o /tmp/x.tar alpine",
            "nerdctl --snapshotter=overlayfs save -o /tmp/x.tar alpine"),
        Arguments.of(
            "buildx build under dockercompat",
            mac,
            none,
            "buildx build -t x .",
            "nerdctl --snapshotter=overlayfs build -t x ."),
        Arguments.of(
            "push without soci is plain",
            mac,
            none,
            "push --soci-span-size 1 r/x:1",
            "nerdctl --snapshotter=overlayfs push --soci-span-size 1 r/x:1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void translates(String name, HostOs os, List<String> snapshotters, String finch, String nerdctl)
      throws Exception {
    Translation t = new ArgTranslator(ctx(os, snapshotters)).translate(w(finch));
    assertThat(t).isInstanceOf(Translation.Plain.class);
    assertThat(t.call().argv()).containsExactlyElementsOf(expected(nerdctl));
  }

  /** The expected argv; {@code two_words} stands for a value with a space. */
  static List<String> expected(String nerdctl) {
    return w(nerdctl).stream().map(s -> s.replace("two_words", "two words")).toList();
  }

  @Test
  void forwardsOnlyAllowListedEnvAndDockerConfigAsHostDockerConfig() throws Exception {
    NerdctlCall mac = new ArgTranslator(ctx(HostOs.MACOS, List.of())).translate(w("ps")).call();
    assertThat(mac.env())
        .containsExactly(
            Map.entry("COMPOSE_FILE", "C:\\a\\c.yml"),
            Map.entry("AWS_PROFILE", "dev"),
            Map.entry("HOST_DOCKER_CONFIG", "/Users/me/.docker"));
    NerdctlCall win = new ArgTranslator(ctx(HostOs.WINDOWS, List.of())).translate(w("ps")).call();
    assertThat(win.env()).containsEntry("COMPOSE_FILE", "/mnt/c/a/c.yml");
  }

  @Test
  void helpIsDetectedExceptHostnameFlagOfRun() throws Exception {
    ArgTranslator t = new ArgTranslator(ctx(HostOs.MACOS, List.of()));
    assertThat(((Translation.Plain) t.translate(w("pull --help"))).help()).isTrue();
    assertThat(((Translation.Plain) t.translate(w("images -h"))).help()).isTrue();
    assertThat(((Translation.Plain) t.translate(w("network"))).help()).isTrue();
    assertThat(((Translation.Plain) t.translate(w("run -h myhost alpine"))).help()).isFalse();
  }

  @Test
  void pushWithSociExpandsIntoImagePushAndSociSteps() throws Exception {
    Translation t =
        new ArgTranslator(ctx(HostOs.MACOS, List.of("soci")))
            .translate(
                w(
                    "push --insecure-registry --soci-span-size=2097152 --soci-min-layer-size 20971520 "
                        + "--platform linux/amd64 localhost:5000/x:1"));
    assertThat(t).isInstanceOf(Translation.SociPush.class);
    Translation.SociPush p = (Translation.SociPush) t;
    assertThat(p.call().argv())
        .containsExactly(
            "nerdctl",
            "--snapshotter=overlayfs",
            "push",
            "--insecure-registry",
            "--platform=linux/amd64",
            "localhost:5000/x:1");
    assertThat(p.ref()).isEqualTo("localhost:5000/x:1");
    assertThat(p.createFlags())
        .containsExactly(
            "--platform=linux/amd64",
            "--span-size=2097152",
            "--lazy-ztoc",
            "--file-checkpoints",
            "--min-layer-size=20971520");
    assertThat(p.pushFlags()).containsExactly("--skip-verify", "--plain-http");

    Translation explicit =
        new ArgTranslator(ctx(HostOs.MACOS, List.of()))
            .translate(w("--snapshotter=soci push --all-platforms r/x"));
    assertThat(((Translation.SociPush) explicit).call().argv())
        .containsExactly("nerdctl", "--snapshotter=overlayfs", "push", "--all-platforms", "r/x");
    assertThat(((Translation.SociPush) explicit).createFlags())
        .as("finch's own span size unless told otherwise")
        .containsExactly(
            "--all-platforms", "--span-size=1048576", "--lazy-ztoc", "--file-checkpoints");
    Translation inArgs =
        new ArgTranslator(ctx(HostOs.MACOS, List.of()))
            .translate(w("image push --snapshotter soci r/x"));
    assertThat(inArgs).isInstanceOf(Translation.SociPush.class);
  }

  @Test
  void errorsAreOneClearLine() {
    ArgTranslator t = new ArgTranslator(ctx(HostOs.MACOS, List.of()));
    assertThatThrownBy(() -> t.translate(w("run --env-file nope.env alpine")))
        .hasMessage("failed to read env file \"nope.env\": nope.env");
    assertThatThrownBy(() -> t.translate(w("buildx imagetools inspect x")))
        .hasMessage("unsupported buildx command: imagetools");
    assertThatThrownBy(
            () ->
                new ArgTranslator(ctx(HostOs.MACOS, List.of("soci"))).translate(w("push --quiet")))
        .hasMessageContaining("requires exactly 1 argument");
  }
}
