package dev.finch.cli.vm;

import picocli.CommandLine.Option;

/** {@code -f/--force} of {@code vm stop} and {@code vm remove}: skip the state check. */
final class ForceOption {
  @Option(
      names = {"-f", "--force"},
      description = "Skip the state check and force the operation.")
  boolean force;
}
