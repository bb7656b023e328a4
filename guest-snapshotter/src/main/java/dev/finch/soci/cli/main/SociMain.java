package dev.finch.soci.cli.main;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Process entry point of {@code soci}. */
public final class SociMain {
  private SociMain() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int rc = SociCli.run(out, err, args);
    System.exit(rc);
  }
}
