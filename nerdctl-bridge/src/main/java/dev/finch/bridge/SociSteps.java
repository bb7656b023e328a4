package dev.finch.bridge;

import dev.finch.process.CommandFailedException;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The two soci steps after an image push, shared by both engines: {@code soci create} builds the
 * zTOCs and index, {@code soci push} uploads them. Their output lines are shown as they come
 * (progress), prefixed with {@code soci: }, as nerdctl shows them.
 */
final class SociSteps {
  /** Namespace finch keeps its images in, in every guest. */
  static final String NAMESPACE = "finch";

  private SociSteps() {}

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

  /**
   * Runs create then push; stops at the first failure.
   *
   * @param toSpec turns a guest argv into the host command
   * @return 0, or the failing step's exit status
   */
  static int run(
      Translation.SociPush p,
      String soci,
      List<String> globals,
      String ref,
      Function<List<String>, CommandSpec> toSpec,
      CommandRunner runner,
      PrintWriter out,
      PrintWriter err)
      throws BridgeException {
    for (String verb : List.of("create", "push")) {
      List<String> flags = verb.equals("create") ? p.createFlags() : p.pushFlags();
      CommandSpec spec =
          toSpec
              .apply(argv(soci, globals, verb, flags, ref))
              .withStdin(new CommandSpec.Stdin.Closed())
              .withIo(CommandSpec.Io.CAPTURE);
      CommandResult r;
      try {
        r =
            runner.stream(
                spec,
                line -> {
                  if (!line.isBlank()) {
                    out.println("soci: " + line);
                    out.flush();
                  }
                });
      } catch (CommandFailedException e) {
        throw new BridgeException(
            e.exit() < 0
                ? "the image was pushed, but its SOCI index was not: push --snapshotter soci needs "
                    + soci
                    + ", which could not be run (is soci installed?)"
                : "soci " + verb + " failed: " + e.getMessage(),
            e);
      }
      if (!r.ok()) {
        err.println("soci " + verb + " failed with exit status " + r.exit());
        return r.exit();
      }
    }
    return 0;
  }
}
