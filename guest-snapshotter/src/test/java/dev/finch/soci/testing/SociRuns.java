package dev.finch.soci.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.cli.main.SociCli;
import dev.finch.testkit.ContainerdFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the {@code soci} CLI in-process against a given containerd socket and SOCI root. */
public final class SociRuns {
  private SociRuns() {}

  /** Exit code, stdout and stderr of one run. */
  public record Run(int rc, String out, String err) {}

  public static Run soci(Path containerdSocket, Path root, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--address", containerdSocket.toString(), "--root", root.toString()));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  /** Runs {@code soci <args>} exactly as given: no socket or root is added. */
  public static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = SociCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(rc, out.toString(), err.toString());
  }

  /**
   * Publishes a SOCI index for {@code ref} as a CI job that pushes the image would: pulls the image
   * into containerd's "build" namespace, runs {@code soci create <createOptions> <ref>} there, then
   * {@code soci push}, and asserts that both succeed. {@code root} is the CLI's SOCI root.
   */
  public static void publishIndex(
      ContainerdFixture containerd, Path root, String ref, String... createOptions) {
    containerd.ctrIn("build", "images", "pull", "--plain-http", ref).check();
    List<String> create = new ArrayList<>(List.of("--namespace", "build", "create"));
    create.addAll(List.of(createOptions));
    create.add(ref);
    Run created = soci(containerd.socket(), root, create.toArray(String[]::new));
    assertThat(created.rc()).as(created.err()).isZero();
    Run pushed =
        soci(containerd.socket(), root, "--namespace", "build", "push", "--plain-http", ref);
    assertThat(pushed.rc()).as(pushed.err()).isZero();
  }

  /** {@code soci --namespace default image rpull --plain-http REF} against {@code containerd}. */
  public static Run rpull(ContainerdFixture containerd, Path root, String ref) {
    return soci(
        containerd.socket(), root, "--namespace", "default", "image", "rpull", "--plain-http", ref);
  }
}
