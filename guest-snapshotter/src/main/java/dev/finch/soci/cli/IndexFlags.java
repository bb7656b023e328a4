package dev.finch.soci.cli;

import dev.finch.soci.containerd.PlatformSelection;
import dev.finch.soci.index.IndexOptions;
import dev.finch.soci.oci.Platform;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** zTOC and platform flags shared by {@code create} and {@code convert}. */
final class IndexFlags {
  @Mixin SpanSizeOption spanSize;

  @Option(
      names = "--min-layer-size",
      description = "layers smaller than this many bytes get no zTOC (default ${DEFAULT-VALUE})",
      defaultValue = "10485760")
  long minLayerSize;

  @Option(
      names = {"-f", "--force"},
      description = "rebuild zTOCs that already exist for the same layer and span size")
  boolean force;

  @Option(names = "--optimizations", description = "optional optimizations; supported: xattr")
  List<String> optimizations = new ArrayList<>();

  @Option(
      names = "--lazy-ztoc",
      description =
          "also publish each zTOC's skeleton (the zTOC without its checkpoint windows; our own"
              + " artifact, ignored by other daemons): our daemon then fetches the TOC at mount and"
              + " a span's window only with the span, instead of the whole zTOC")
  boolean lazyZtoc;

  @Option(
      names = "--file-checkpoints",
      description =
          "also put a checkpoint just before a file that follows a big one (half a span or more),"
              + " so that reading the small file does not fetch the big one's tail (our own;"
              + " the zTOC stays an ordinary one, with more spans, that the reference reads too)")
  boolean fileCheckpoints;

  @Option(names = "--all-platforms", description = "index every platform of the image")
  boolean allPlatforms;

  @Option(
      names = {"-p", "--platform"},
      description = "platform to index (repeatable; default: this host's)")
  List<String> platforms = new ArrayList<>();

  IndexOptions options() {
    boolean xattr = false;
    for (String o : optimizations) {
      for (String part : o.split(",")) {
        if (part.equals("xattr")) {
          xattr = true;
        } else if (!part.isBlank()) {
          throw new SociException("unknown optimization \"" + part + "\": supported: xattr");
        }
      }
    }
    try {
      return new IndexOptions(spanSize.value(), minLayerSize, force, xattr)
          .withLazyZtoc(lazyZtoc)
          .withFileCheckpoints(fileCheckpoints);
    } catch (IllegalArgumentException e) {
      throw new SociException(e.getMessage());
    }
  }

  PlatformSelection selection() {
    if (allPlatforms && !platforms.isEmpty()) {
      throw new SociException("--all-platforms and --platform cannot be used together");
    }
    if (allPlatforms) {
      return PlatformSelection.allPlatforms();
    }
    if (platforms.isEmpty()) {
      return PlatformSelection.host();
    }
    try {
      return PlatformSelection.of(platforms.stream().map(Platform::parse).toList());
    } catch (IllegalArgumentException e) {
      throw new SociException(e.getMessage());
    }
  }
}
