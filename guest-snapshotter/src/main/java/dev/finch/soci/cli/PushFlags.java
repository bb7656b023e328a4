package dev.finch.soci.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** How SOCI index artifacts are pushed: {@code soci push}'s, and {@code soci create --push}'s. */
final class PushFlags {
  @Option(
      names = "--max-concurrent-uploads",
      description = "blobs uploaded at once (default ${DEFAULT-VALUE})",
      defaultValue = "3")
  int maxConcurrentUploads;

  @Option(
      names = "--existing-index",
      description =
          "when the registry already has a SOCI index for the image: warn (default; push anyway), skip, or allow",
      defaultValue = "warn")
  String existingIndex;

  /** Refuses values the reference refuses, in its words. */
  void validate() {
    if (!List.of("warn", "skip", "allow").contains(existingIndex)) {
      throw new SociException(
          "invalid --existing-index \"" + existingIndex + "\": expected warn, skip or allow");
    }
    if (maxConcurrentUploads < 1) {
      throw new SociException("--max-concurrent-uploads must be at least 1");
    }
  }

  /** Whether these are the defaults (so that a command may refuse them where they mean nothing). */
  boolean defaults() {
    return maxConcurrentUploads == 3 && existingIndex.equals("warn");
  }
}
