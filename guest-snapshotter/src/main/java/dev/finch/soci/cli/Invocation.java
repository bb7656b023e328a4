package dev.finch.soci.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@code soci} command line came from: the environment its {@code ${env:...}} defaults and
 * credential lookup read, the directory relative paths are resolved against, and whether it runs
 * embedded in the snapshotter daemon (an rpull handed off by {@link
 * dev.finch.soci.cli.handoff.HandoffClient}), where it must leave the process-wide logging alone
 * and can tell the snapshotter what it is about to prepare ({@code prepareHint}, see {@link
 * dev.finch.soci.snapshot.RemotePreparer#expect}).
 */
public record Invocation(
    Map<String, String> env,
    Path cwd,
    boolean embedded,
    java.util.function.Consumer<Map<String, String>> prepareHint) {
  public Invocation {
    env = Map.copyOf(env);
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(prepareHint, "prepareHint");
  }

  /** Without Prepare hints. */
  public Invocation(Map<String, String> env, Path cwd, boolean embedded) {
    this(env, cwd, embedded, labels -> {});
  }

  /** This process: its environment and working directory. */
  public static Invocation ofProcess() {
    return new Invocation(System.getenv(), Path.of("").toAbsolutePath(), false);
  }

  /** {@code path} against {@link #cwd} when relative. */
  Path resolve(Path path) {
    return cwd.resolve(path);
  }

  /**
   * The annotation default {@code value} with every {@code ${env:NAME:-fallback}} read from {@link
   * #env} instead of this JVM's environment; null when it has none (picocli then interpolates it).
   */
  public String envDefault(String value) {
    if (value == null || !value.contains("${env:")) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < value.length()) {
      int start = value.indexOf("${env:", i);
      int end = start < 0 ? -1 : value.indexOf('}', start);
      if (start < 0 || end < 0) {
        sb.append(value, i, value.length());
        break;
      }
      sb.append(value, i, start);
      String body = value.substring(start + "${env:".length(), end);
      int dash = body.indexOf(":-");
      String name = dash < 0 ? body : body.substring(0, dash);
      String fallback = dash < 0 ? "" : body.substring(dash + 2);
      String v = env.get(name);
      sb.append(v == null || v.isEmpty() ? fallback : v);
      i = end + 1;
    }
    return sb.toString();
  }
}
