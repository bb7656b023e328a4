package dev.finch.cli.main;

import dev.finch.cli.FinchEnvironment;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The {@code finch} executable's entry point. */
public final class FinchMain {
  private FinchMain() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    int rc = new FinchCli(FinchEnvironment.detect()).run(out, err, args);
    System.exit(rc);
  }
}
