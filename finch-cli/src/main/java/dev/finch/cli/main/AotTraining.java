package dev.finch.cli.main;

import dev.finch.cli.FinchEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The training run for finch's ahead-of-time class cache. {@code scripts/make-launchers} runs it
 * once under {@code -XX:AOTCacheOutput} with a stub {@code nerdctl} on PATH and a throwaway {@code
 * FINCH_DIR}; every class the common commands load (picocli tree, YAML loader, argv translation,
 * process runner) then starts pre-parsed and pre-linked, which is most of finch's startup time. It
 * runs real commands in-process; nothing here is used at run time. It never runs soci (a SOCI push
 * would start the real soci from {@code build/bin} against containerd).
 */
public final class AotTraining {
  private AotTraining() {}

  public static void main(String[] args) {
    String[][] commands = {
      {"version"},
      {"images"},
      {"--help"},
      {"vm", "status"},
      {"run", "--rm", "-e", "A=1", "alpine", "true"},
      {"pull", "--help"},
      {"push", "localhost:5000/x:1"},
      {"completion", "bash"},
      {"version", "-f", "json"},
      {"--version"},
    };
    for (String[] c : commands) {
      StringWriter sink = new StringWriter();
      new FinchCli(FinchEnvironment.detect()).run(new PrintWriter(sink), new PrintWriter(sink), c);
    }
  }
}
