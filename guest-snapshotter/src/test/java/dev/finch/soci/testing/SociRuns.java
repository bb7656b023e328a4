package dev.finch.soci.testing;

import dev.finch.soci.cli.main.SociCli;
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
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all =
        new ArrayList<>(
            List.of("--address", containerdSocket.toString(), "--root", root.toString()));
    all.addAll(List.of(args));
    int rc = SociCli.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
    return new Run(rc, out.toString(), err.toString());
  }
}
