package dev.finch.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.process.CommandFailedException;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;
import dev.finch.process.RecordingRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The contract of a push with soci: the image push and {@code soci create --push --wait-for-go}
 * overlap, soci is told {@code go} (and so pushes the index manifest) only once the image push
 * succeeded, soci's lines never land inside the image push's output, and a failure of either part
 * fails the push with one line saying what was not pushed.
 */
class SociStepsTest {
  static final String REF = "localhost:5000/x:1";
  static final List<String> CREATE = List.of("soci", "--namespace", "finch", "create");

  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final RecordingRunner recorder = new RecordingRunner();

  /** Counted down once soci has built the index (its zTOC lines printed, uploads started). */
  final CountDownLatch built = new CountDownLatch(1);

  /** What soci read on its standard input before it ended (null: end of input alone). */
  final AtomicReference<String> told = new AtomicReference<>("(nothing yet)");

  volatile boolean toldBeforeBuilt;
  volatile int createExit;

  /**
   * A soci create as the real one behaves: it prints its zTOC lines, then waits for its input; told
   * {@code go} it pushes the index, else it exits 1. {@code createExit} other than 0 makes it fail
   * before any of that.
   */
  final CommandRunner runner =
      new CommandRunner() {
        @Override
        public CommandResult run(CommandSpec spec) throws CommandFailedException {
          return recorder.run(spec);
        }

        @Override
        public CommandResult stream(CommandSpec spec, Consumer<String> lines)
            throws CommandFailedException {
          if (!spec.argv().containsAll(CREATE)) {
            return CommandRunner.super.stream(spec, lines);
          }
          recorder.run(spec);
          if (createExit != 0) {
            built.countDown();
            lines.accept("soci: containerd is not running");
            return new CommandResult(createExit, "", "");
          }
          lines.accept("layer sha256:aaa -> ztoc sha256:bbb");
          lines.accept("successfully pushed artifact with digest: sha256:bbb");
          CompletableFuture<String> in = ((CommandSpec.Stdin.Later) spec.stdin()).text();
          toldBeforeBuilt = in.isDone();
          built.countDown();
          String text = in.exceptionally(e -> null).join();
          told.set(text);
          if (!SociSteps.GO.equals(text)) {
            lines.accept("soci: the SOCI index was built but not pushed");
            return new CommandResult(1, "", "");
          }
          lines.accept("pushing soci index with digest: sha256:ccc");
          lines.accept("successfully pushed artifact with digest: sha256:ccc");
          return new CommandResult(0, "", "");
        }
      };

  int push(SociSteps.ImagePush imagePush) throws BridgeException {
    Translation.SociPush p =
        new Translation.SociPush(
            new NerdctlCall(List.of(), List.of("push"), List.of(REF), Map.of(), List.of()),
            REF,
            List.of("--span-size=2097152"),
            List.of("--plain-http"));
    return SociSteps.run(
        p,
        "soci",
        List.of(),
        REF,
        CommandSpec::of,
        imagePush,
        runner,
        new PrintWriter(out),
        new PrintWriter(err));
  }

  /** An image push that ends only once soci has built the index, and prints as it goes. */
  int pushAfterBuild(int exit) {
    try {
      if (!built.await(10, TimeUnit.SECONDS)) {
        return 98;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 97;
    }
    recorder.run(CommandSpec.of("ctr", "images", "push", REF));
    out.write("ctr: pushed " + REF + "\n");
    return exit;
  }

  @Test
  void sociBuildsAndUploadsDuringTheImagePushAndPushesTheIndexOnlyOnceTheImageIsPushed()
      throws Exception {
    int rc = push(() -> pushAfterBuild(0));
    assertThat(rc).as("soci built the index while the image push was still running").isZero();
    assertThat(toldBeforeBuilt).as("no go before the image push ended").isFalse();
    assertThat(told.get()).isEqualTo("go\n");
    assertThat(recorder.argvs())
        .containsExactly(
            List.of(
                "soci",
                "--namespace",
                "finch",
                "create",
                "--span-size=2097152",
                "--push",
                "--wait-for-go",
                "--plain-http",
                REF),
            List.of("ctr", "images", "push", REF));
    assertThat(out.toString())
        .isEqualTo(
            """
            soci: building the SOCI index while the image uploads
            ctr: pushed localhost:5000/x:1
            soci: layer sha256:aaa -> ztoc sha256:bbb
            soci: successfully pushed artifact with digest: sha256:bbb
            soci: pushing soci index with digest: sha256:ccc
            soci: successfully pushed artifact with digest: sha256:ccc
            """);
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aFailedCreateFailsThePush() throws Exception {
    createExit = 3;
    int rc = push(() -> pushAfterBuild(0));
    assertThat(rc).isEqualTo(3);
    assertThat(out.toString()).endsWith("soci: soci: containerd is not running\n");
    assertThat(err.toString())
        .isEqualTo(
            "finch push: the image was pushed, but its SOCI index was not:"
                + " soci create failed with exit status 3\n");
  }

  @Test
  void aFailedImagePushEndsSocisInputWithoutGoSoNoIndexIsPushed() throws Exception {
    int rc = push(() -> pushAfterBuild(5));
    assertThat(rc).isEqualTo(5);
    assertThat(told.get()).as("end of input, no go").isNull();
    assertThat(out.toString()).doesNotContain("pushing soci index");
    assertThat(err.toString())
        .isEqualTo(
            "finch push: the image push failed with exit status 5; its SOCI index was not"
                + " pushed\n");
  }

  @Test
  void aSociThatCannotRunIsNamed() {
    CommandRunner missing =
        spec -> {
          if (spec.argv().containsAll(CREATE)) {
            throw new CommandFailedException(spec.argv(), "No such file or directory", null);
          }
          return new CommandResult(0, "", "");
        };
    Translation.SociPush p =
        new Translation.SociPush(
            new NerdctlCall(List.of(), List.of("push"), List.of(REF), Map.of(), List.of()),
            REF,
            List.of(),
            List.of());
    assertThatThrownBy(
            () ->
                SociSteps.run(
                    p,
                    "soci",
                    List.of(),
                    REF,
                    CommandSpec::of,
                    () -> 0,
                    missing,
                    new PrintWriter(out),
                    new PrintWriter(err)))
        .isInstanceOf(BridgeException.class)
        .hasMessage(
            "the image was pushed, but its SOCI index was not: push --snapshotter soci needs soci,"
                + " which could not be run (is soci installed?)");
  }

  @Test
  void anImagePushThatThrowsEndsSocisInputAndWaitsForItFirst() {
    assertThatThrownBy(
            () ->
                push(
                    () -> {
                      throw new BridgeException("cannot run ctr");
                    }))
        .hasMessage("cannot run ctr");
    assertThat(built.getCount()).as("soci create was waited for").isZero();
    assertThat(told.get()).isNull();
  }
}
