package dev.finch.soci.cli;

import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.ContainerdException;
import dev.finch.soci.containerd.PlatformImage;
import dev.finch.soci.containerd.ResolvedImage;
import dev.finch.soci.index.IndexCreator;
import dev.finch.soci.index.IndexOptions;
import dev.finch.soci.index.LayerOutcome;
import dev.finch.soci.index.PrefetchPathNotFoundException;
import dev.finch.soci.index.SociIndex;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code soci create IMAGE}: builds a SOCI index manifest v1 (zTOC per layer, {@code subject} = the
 * platform image manifest) for an image in containerd's content store, with prefetch artifacts for
 * the layers holding {@code --prefetch-file} paths or read in {@code --record} recordings. {@code
 * soci push} sends it to the registry. This is the command {@code nerdctl push --snapshotter soci}
 * runs.
 */
@Command(
    name = "create",
    description = "Create a SOCI index (manifest v1) for an image in containerd",
    mixinStandardHelpOptions = true)
public final class CreateCommand implements Callable<Integer> {
  GlobalOptions global;
  @Mixin IndexFlags flags;
  @Mixin PrefetchFlags prefetch;

  @picocli.CommandLine.Option(
      names = "--push",
      description =
          "also push the index to the image's registry, as `soci push` would, uploading each zTOC"
              + " as soon as it is built (ours; the registry flags below apply)")
  boolean push;

  @picocli.CommandLine.Option(
      names = "--wait-for-go",
      description =
          "with --push: push the index manifest only once the line \"go\" arrives on standard"
              + " input (a caller pushing the image at the same time says so when it is done);"
              + " if input ends first, no index is pushed and the exit status is 1 (ours)")
  boolean waitForGo;

  @Mixin RegistryFlags registry;
  @Mixin PushFlags pushFlags;

  @Parameters(paramLabel = "IMAGE", description = "image reference as stored in containerd")
  String image;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    if (!push && (waitForGo || registry.given() || !pushFlags.defaults())) {
      throw new SociException(
          "--wait-for-go, the registry flags, --existing-index and --max-concurrent-uploads"
              + " need --push");
    }
    pushFlags.validate();
    IndexOptions opts =
        flags.options().withPrefetchPaths(prefetch.paths()).withRecordings(prefetch.recordings());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (SociContext ctx = new SociContext(global)) {
      ResolvedImage resolved = Images.resolve(ctx.containerd(), image, flags.selection());
      Progress progress = new Progress(err);
      ContainerdClient cd = ctx.containerd();
      IndexCreator creator = ctx.indexCreator(progress);
      List<LayerOutcome> all = new ArrayList<>();
      // each platform's index, in the order they were built
      java.util.LinkedHashMap<PlatformImage, SociIndex> indexes = new java.util.LinkedHashMap<>();
      // null without --push: try-with-resources skips closing it
      try (IndexUploads uploads =
          push ? IndexUploads.to(ctx, resolved, registry, pushFlags, out, err, false) : null) {
        for (PlatformImage pi : resolved.manifests()) {
          IndexCreator.Result r;
          try {
            r =
                creator.create(
                    pi.descriptor(),
                    pi.manifest(),
                    Images.platformOf(pi),
                    SociIndex.Version.V1,
                    opts,
                    resolved.image().name(),
                    o -> {
                      synchronized (out) {
                        out.println(o.message());
                        out.flush();
                      }
                      o.warnings().forEach(w -> err.println("soci: warning: " + w));
                      err.flush();
                      if (uploads != null && o instanceof LayerOutcome.Indexed ix) {
                        uploads.blob(ix.ztoc());
                      }
                    });
          } catch (PrefetchPathNotFoundException e) {
            throw new SociException(
                "prefetch file "
                    + e.path()
                    + " not found in any layer with a zTOC of image "
                    + resolved.image().name()
                    + " ("
                    + Images.platformOf(pi)
                    + "); layers smaller than --min-layer-size have no zTOC",
                e);
          }
          all.addAll(r.outcomes());
          r.index().ifPresent(idx -> indexes.put(pi, idx));
        }
        if (indexes.isEmpty()) {
          throw new SociException(LayerOutcome.noZtocsMessage(all, opts));
        }
        if (!opts.recordings().isEmpty()
            && all.stream().noneMatch(o -> o instanceof LayerOutcome.Prefetched)) {
          err.println(
              "soci: warning: no --record recording is of a layer with a zTOC in "
                  + resolved.image().name()
                  + "; the index has no prefetch artifact");
          err.flush();
        }
        String last = indexes.sequencedValues().getLast().digest().toString();
        try {
          cd.images()
              .setLabels(
                  resolved.image().name(), Map.of("containerd.io/gc.ref.content.soci-index", last));
        } catch (ContainerdException e) {
          // Without the label containerd's garbage collector may delete the index: the create
          // did not happen as reported, so it is an error, not a warning.
          throw new SociException(
              "index "
                  + last
                  + " was built, but labelling image "
                  + resolved.image().name()
                  + " so that containerd keeps it failed: "
                  + e.getMessage(),
              e);
        }
        out.flush();
        if (uploads != null) {
          pushIndexes(uploads, indexes, new Progress(err));
        }
      }
    }
    return 0;
  }

  /**
   * {@code --push}: once the caller says go (with {@code --wait-for-go}), each platform's index is
   * pushed as {@code soci push} would push it; its zTOCs are mostly uploaded already.
   */
  private void pushIndexes(
      IndexUploads uploads, Map<PlatformImage, SociIndex> indexes, Progress progress)
      throws Exception {
    if (waitForGo && !go()) {
      throw new SociException(
          "the SOCI index was built but not pushed: standard input ended before \"go\"");
    }
    for (Map.Entry<PlatformImage, SociIndex> e : indexes.entrySet()) {
      if (uploads.wanted(e.getKey().descriptor().digest())) {
        uploads.index(e.getValue(), progress);
      }
    }
  }

  // waits for the line "go" on standard input; false when input ends (or says anything else) first
  private static boolean go() throws java.io.IOException {
    java.io.BufferedReader in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
    String line = in.readLine();
    return line != null && line.strip().equals("go");
  }
}
