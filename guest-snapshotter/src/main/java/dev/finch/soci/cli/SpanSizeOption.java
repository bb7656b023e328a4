package dev.finch.soci.cli;

import picocli.CommandLine.Option;

/** {@code --span-size}, shared by {@code create}, {@code convert} and {@code ztoc build}. */
public final class SpanSizeOption {
  @Option(
      names = "--span-size",
      description = "uncompressed bytes between checkpoints (default ${DEFAULT-VALUE})",
      defaultValue = "4194304")
  long spanSize;

  /** The span size given, or the reference's default of 4 MiB. */
  public long value() {
    return spanSize;
  }
}
