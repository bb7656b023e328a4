package dev.finch.bridge;

import dev.finch.process.CommandFailedException;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A push with the soci snapshotter, shared by both engines: the image push and {@code soci create
 * --push --wait-for-go} run at the same time. soci builds the zTOCs from containerd's content store
 * (CPU-bound) and uploads each one as soon as it is built, beside the image's own upload; once the
 * image push has succeeded, finch writes {@code go} to soci's standard input and soci pushes the
 * index manifest, whose {@code subject} is then in the registry. One soci process, not nerdctl's
 * two ({@code soci create}, then {@code soci push}): no second start-up and no zTOC upload after
 * the image's. soci's output lines are shown prefixed with {@code soci: }, as nerdctl shows them.
 * While the image push has the terminal (its own progress), soci's lines are held and shown when
 * the upload ends, so the two never interleave; from then on they stream as they come.
 *
 * <p>Nothing is half-pushed silently: when the image push fails, soci's input ends without {@code
 * go}, so no index manifest is pushed (zTOC blobs already uploaded are referenced by nothing), and
 * one line on stderr says so; when soci fails, one line says the image was pushed but its index was
 * not. The exit status is the failing part's.
 */
final class SociSteps {
  /** Namespace finch keeps its images in, in every guest. */
  static final String NAMESPACE = "finch";

  private SociSteps() {}

  /** The image push, run by the engine with the terminal attached. */
  @FunctionalInterface
  interface ImagePush {
    /** Pushes the image; returns its exit status. */
    int run() throws BridgeException;
  }

  /** {@code soci --namespace finch <verb> <flags> <ref>}, with argv[0] = {@code soci}. */
  static List<String> argv(
      String soci, List<String> globals, String verb, List<String> flags, String ref) {
    List<String> a = new ArrayList<>(List.of(soci));
    a.addAll(globals);
    a.addAll(List.of("--namespace", NAMESPACE, verb));
    a.addAll(flags);
    a.add(ref);
    return a;
  }

  /** What soci reads on its standard input to push the index manifest ({@code --wait-for-go}). */
  static final String GO = "go\n";

  /**
   * Runs the image push and {@code soci create --push --wait-for-go} side by side.
   *
   * @param toSpec turns a guest argv into the host command
   * @param imagePush the engine's image push
   * @return 0, or the failing part's exit status
   */
  static int run(
      Translation.SociPush p,
      String soci,
      List<String> globals,
      String ref,
      Function<List<String>, CommandSpec> toSpec,
      ImagePush imagePush,
      CommandRunner runner,
      PrintWriter out,
      PrintWriter err)
      throws BridgeException {
    HeldLines lines = new HeldLines(out);
    lines.show("building the SOCI index while the image uploads");
    lines.hold();
    List<String> flags = new ArrayList<>(p.createFlags());
    flags.add("--push");
    flags.add("--wait-for-go");
    flags.addAll(p.pushFlags());
    CompletableFuture<String> go = new CompletableFuture<>();
    Step create =
        new Step(
            "create",
            toSpec
                .apply(argv(soci, globals, "create", flags, ref))
                .withStdin(new CommandSpec.Stdin.Later(go)));
    Thread builder = Thread.ofPlatform().name("soci-create").start(() -> create.run(runner, lines));
    int pushed = 1;
    try {
      pushed = imagePush.run();
    } finally {
      go.complete(pushed == 0 ? GO : null); // null: end of input, no index manifest
      lines.release();
      join(builder);
    }
    if (pushed != 0) {
      err.println(
          "finch push: the image push failed with exit status "
              + pushed
              + "; its SOCI index was not pushed");
      err.flush();
      return pushed;
    }
    return create.verdict(soci, err);
  }

  private static void join(Thread t) throws BridgeException {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BridgeException("finch push: interrupted while soci create was running", e);
    }
  }

  /** One soci command, run with its output captured and shown line by line. */
  private static final class Step {
    private final String verb;
    private final CommandSpec spec;
    private volatile CommandResult result;
    private volatile Exception failure;

    Step(String verb, CommandSpec spec) {
      this.verb = verb;
      this.spec = spec.withIo(CommandSpec.Io.CAPTURE);
    }

    void run(CommandRunner runner, HeldLines lines) {
      try {
        result = runner.stream(spec, lines::show);
      } catch (CommandFailedException e) {
        failure = e;
      } catch (RuntimeException e) {
        failure = e;
      }
    }

    /** 0 when the step succeeded; else prints why the index was not pushed and returns non-zero. */
    int verdict(String soci, PrintWriter err) throws BridgeException {
      if (failure != null) {
        throw new BridgeException(
            failure instanceof CommandFailedException f && f.exit() < 0
                ? "the image was pushed, but its SOCI index was not: push --snapshotter soci needs "
                    + soci
                    + ", which could not be run (is soci installed?)"
                : "the image was pushed, but its SOCI index was not: soci "
                    + verb
                    + " failed: "
                    + failure.getMessage(),
            failure);
      }
      if (!result.ok()) {
        err.println(
            "finch push: the image was pushed, but its SOCI index was not: soci "
                + verb
                + " failed with exit status "
                + result.exit());
        err.flush();
        return result.exit();
      }
      return 0;
    }
  }

  /**
   * soci's lines, each prefixed with {@code soci: }: shown at once, or, while held (the image push
   * has the terminal), kept until {@link #release}.
   */
  private static final class HeldLines {
    private final PrintWriter out;
    private final List<String> held = new ArrayList<>();
    private boolean holding;

    HeldLines(PrintWriter out) {
      this.out = out;
    }

    synchronized void hold() {
      holding = true;
    }

    synchronized void show(String line) {
      if (line.isBlank()) {
        return;
      }
      if (holding) {
        held.add(line);
      } else {
        out.println("soci: " + line);
        out.flush();
      }
    }

    synchronized void release() {
      holding = false;
      held.forEach(this::show);
      held.clear();
    }
  }
}
