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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The contract of a push with soci: the image push and {@code soci create} overlap, {@code soci
 * push} runs only after both succeeded, soci's lines never land inside the image push's output, and
 * a failure of either part fails the push with one line saying what was not pushed.
 */
class SociStepsTest {
  static final String REF = "localhost:5000/x:1";
  static final List<String> CREATE = List.of("soci", "--namespace", "finch", "create");
  static final List<String> PUSH = List.of("soci", "--namespace", "finch", "push");

  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final RecordingRunner recorder = new RecordingRunner();
  final CountDownLatch createDone = new CountDownLatch(1);

  /** The recorder, plus a signal once {@code soci create} has printed all its lines. */
  final CommandRunner runner =
      new CommandRunner() {
        @Override
        public CommandResult run(CommandSpec spec) throws CommandFailedException {
          return recorder.run(spec);
        }

        @Override
        public CommandResult stream(CommandSpec spec, Consumer<String> lines)
            throws CommandFailedException {
          try {
            return CommandRunner.super.stream(spec, lines);
          } finally {
            if (spec.argv().containsAll(CREATE)) {
              createDone.countDown();
            }
          }
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

  /** An image push that ends only once soci create has finished, and prints as it goes. */
  int pushAfterCreate(int exit) {
    try {
      if (!createDone.await(10, TimeUnit.SECONDS)) {
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
  void createRunsDuringTheImagePushAndItsLinesWaitUntilTheUploadEnds() throws Exception {
    recorder
        .when(CREATE, new CommandResult(0, "layer sha256:aaa -> ztoc sha256:bbb\n\n", ""))
        .when(PUSH, new CommandResult(0, "successfully pushed artifact with digest: x\n", ""));
    int rc = push(() -> pushAfterCreate(0));
    assertThat(rc).as("soci create finished while the image push was still running").isZero();
    assertThat(recorder.argvs())
        .containsExactly(
            List.of("soci", "--namespace", "finch", "create", "--span-size=2097152", REF),
            List.of("ctr", "images", "push", REF),
            List.of("soci", "--namespace", "finch", "push", "--plain-http", REF));
    assertThat(out.toString())
        .isEqualTo(
            """
            soci: building the SOCI index while the image uploads
            ctr: pushed localhost:5000/x:1
            soci: layer sha256:aaa -> ztoc sha256:bbb
            soci: successfully pushed artifact with digest: x
            """);
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aFailedCreateFailsThePushAndPushesNoIndex() throws Exception {
    recorder.when(CREATE, new CommandResult(3, "soci: containerd is not running\n", ""));
    int rc = push(() -> pushAfterCreate(0));
    assertThat(rc).isEqualTo(3);
    assertThat(recorder.argvs()).noneMatch(a -> a.containsAll(PUSH));
    assertThat(out.toString()).endsWith("soci: soci: containerd is not running\n");
    assertThat(err.toString())
        .isEqualTo(
            "finch push: the image was pushed, but its SOCI index was not:"
                + " soci create failed with exit status 3\n");
  }

  @Test
  void aFailedImagePushFailsThePushAfterCreateIsDone() throws Exception {
    int rc = push(() -> pushAfterCreate(5));
    assertThat(rc).isEqualTo(5);
    assertThat(createDone.getCount()).isZero();
    assertThat(recorder.argvs()).noneMatch(a -> a.containsAll(PUSH));
    assertThat(err.toString())
        .isEqualTo(
            "finch push: the image push failed with exit status 5; its SOCI index was not"
                + " pushed\n");
  }

  @Test
  void aFailedIndexPushFailsThePush() throws Exception {
    recorder.when(PUSH, new CommandResult(4, "", ""));
    int rc = push(() -> pushAfterCreate(0));
    assertThat(rc).isEqualTo(4);
    assertThat(err.toString())
        .isEqualTo(
            "finch push: the image was pushed, but its SOCI index was not:"
                + " soci push failed with exit status 4\n");
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
  void anImagePushThatThrowsWaitsForCreateFirst() {
    assertThatThrownBy(
            () ->
                push(
                    () -> {
                      throw new BridgeException("cannot run ctr");
                    }))
        .hasMessage("cannot run ctr");
    assertThat(createDone.getCount()).as("soci create was waited for").isZero();
  }
}
