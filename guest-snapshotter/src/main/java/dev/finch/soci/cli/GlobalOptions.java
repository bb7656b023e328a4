package dev.finch.soci.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The reference CLI's global flags; defaults and environment variables as the reference. */
public final class GlobalOptions {
  @Option(
      names = {"-a", "--address"},
      description =
          "address of containerd's gRPC socket (env CONTAINERD_ADDRESS; default ${DEFAULT-VALUE})",
      defaultValue = "${env:CONTAINERD_ADDRESS:-/run/containerd/containerd.sock}",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String address;

  @Option(
      names = {"-n", "--namespace"},
      description = "containerd namespace (env CONTAINERD_NAMESPACE; default ${DEFAULT-VALUE})",
      defaultValue = "${env:CONTAINERD_NAMESPACE:-default}",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String namespace;

  @Option(
      names = "--timeout",
      description = "timeout for containerd calls, e.g. 30s or 2m (default: none)",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String timeout;

  @Option(
      names = "--debug",
      description = "print stack traces and debug output",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  boolean debug;

  @Option(
      names = "--content-store",
      description =
          "where zTOCs and indexes are kept: containerd (default) or soci (an OCI layout under --root)",
      defaultValue = "containerd",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  String contentStore;

  @Option(
      names = "--root",
      description =
          "SOCI root holding artifacts.json and the soci content store (env SOCI_ROOT; default ${DEFAULT-VALUE})",
      defaultValue = "${env:SOCI_ROOT:-/var/lib/soci-snapshotter-grpc}",
      scope = picocli.CommandLine.ScopeType.INHERIT)
  Path root;

  /**
   * The global options of the root {@code soci} command, wherever on the command line they were
   * given.
   */
  public static GlobalOptions of(picocli.CommandLine.Model.CommandSpec spec) {
    // the root command's mixin is named after its field, "global"
    return (GlobalOptions) spec.root().mixins().get("global").userObject();
  }

  /**
   * Where the command line came from (relative paths resolve against its directory; the {@code
   * ${env:...}} defaults read its environment); set before each parse (see {@link
   * dev.finch.soci.cli.main.SociCli#newTree()}).
   */
  Invocation invocation = Invocation.ofProcess();

  /** Where and for whom this command line runs (the process, or a handed-off rpull). */
  public Invocation invocation() {
    return invocation;
  }

  /** Sets where the next parse's command line comes from. */
  public void invocation(Invocation inv) {
    invocation = inv;
  }

  public String address() {
    String a = address.startsWith("unix://") ? address.substring("unix://".length()) : address;
    return invocation.resolve(Path.of(a)).toString();
  }

  public String namespace() {
    return namespace;
  }

  public boolean debug() {
    return debug;
  }

  public Path root() {
    return invocation.resolve(root);
  }

  public String contentStore() {
    if (!contentStore.equals("containerd") && !contentStore.equals("soci")) {
      throw new SociException(
          "invalid --content-store \"" + contentStore + "\": expected containerd or soci");
    }
    return contentStore;
  }

  /** The {@code --timeout} value, or null when unset. */
  public Duration timeout() {
    if (timeout == null || timeout.isBlank()) {
      return null;
    }
    return Durations.parse(timeout, "--timeout");
  }
}
