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

  @Parameters(paramLabel = "IMAGE", description = "image reference as stored in containerd")
  String image;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    IndexOptions opts =
        flags.options().withPrefetchPaths(prefetch.paths()).withRecordings(prefetch.recordings());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (SociContext ctx = new SociContext(global)) {
      ResolvedImage resolved = Images.resolve(ctx.containerd(), image, flags.selection());
      Progress progress = new Progress(err);
      ContainerdClient cd = ctx.containerd();
      IndexCreator creator = ctx.indexCreator(progress);
      List<String> created = new ArrayList<>();
      List<LayerOutcome> all = new ArrayList<>();
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
                    out.println(o.message());
                    out.flush();
                    o.warnings().forEach(w -> err.println("soci: warning: " + w));
                    err.flush();
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
        r.index().ifPresent(idx -> created.add(idx.digest().toString()));
      }
      if (created.isEmpty()) {
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
      try {
        cd.images()
            .setLabels(
                resolved.image().name(),
                Map.of("containerd.io/gc.ref.content.soci-index", created.getLast()));
      } catch (ContainerdException e) {
        // Without the label containerd's garbage collector may delete the index: the create did not
        // happen as reported, so it is an error, not a warning.
        throw new SociException(
            "index "
                + created.getLast()
                + " was built, but labelling image "
                + resolved.image().name()
                + " so that containerd keeps it failed: "
                + e.getMessage(),
            e);
      }
      out.flush();
    }
    return 0;
  }
}
