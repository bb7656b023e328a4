package dev.finch.soci.cli;

import dev.finch.soci.containerd.PlatformImage;
import dev.finch.soci.containerd.ResolvedImage;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.store.ArtifactEntry;
import dev.finch.soci.store.ArtifactType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code soci push IMAGE}: pushes the newest SOCI index v1 of each platform of the image (zTOCs,
 * {@code {}} config, index manifest with {@code subject}) to the image's repository. On registries
 * without the referrers API the client maintains the {@code sha256-<hex>} fallback tag.
 */
@Command(
    name = "push",
    description = "Push SOCI indexes (v1) of an image to its registry",
    mixinStandardHelpOptions = true)
public final class PushCommand implements Callable<Integer> {
  GlobalOptions global;
  @Mixin RegistryFlags registry;

  @Mixin PushFlags push;

  @Option(
      names = {"-q", "--quiet"},
      description = "print only the pushed index digests")
  boolean quiet;

  @Option(names = "--all-platforms", description = "push the indexes of every platform")
  boolean allPlatforms;

  @Option(
      names = {"-p", "--platform"},
      description = "platform whose index to push (repeatable; default: this host's)")
  List<String> platforms = new ArrayList<>();

  @Parameters(paramLabel = "IMAGE", description = "image reference as stored in containerd")
  String image;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    push.validate();
    IndexFlags sel = new IndexFlags();
    sel.allPlatforms = allPlatforms;
    sel.platforms = platforms;
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (SociContext ctx = new SociContext(global)) {
      ResolvedImage resolved = Images.resolve(ctx.containerd(), image, sel.selection());
      try (IndexUploads uploads = IndexUploads.to(ctx, resolved, registry, push, out, err, quiet)) {
        int pushed = 0;
        for (PlatformImage pi : resolved.manifests()) {
          Optional<ArtifactEntry> entry = newestIndex(ctx, pi.descriptor().digest());
          if (entry.isEmpty()) {
            throw new SociException(
                "no SOCI index found for image "
                    + resolved.image().name()
                    + " ("
                    + Images.platformOf(pi)
                    + "); run `soci create "
                    + image
                    + "` first");
          }
          Digest indexDigest = entry.get().digest();
          SociIndex index = SociIndex.parse(ctx.store().readAll(indexDigest));
          if (!uploads.wanted(pi.descriptor().digest())) {
            continue;
          }
          uploads.index(index, new Progress(err));
          if (quiet) {
            out.println(indexDigest);
          }
          pushed++;
        }
        out.flush();
        return pushed > 0 || push.existingIndex.equals("skip") ? 0 : 1;
      }
    }
  }

  private Optional<ArtifactEntry> newestIndex(SociContext ctx, Digest manifest)
      throws java.io.IOException {
    List<ArtifactEntry> all =
        ctx.db().find(e -> e.type() == ArtifactType.SOCI_INDEX && manifest.equals(e.imageDigest()));
    List<ArtifactEntry> v1 =
        all.stream().filter(e -> MediaTypes.SOCI_INDEX_V1.equals(e.artifactType())).toList();
    if (v1.isEmpty() && !all.isEmpty()) {
      spec.commandLine()
          .getErr()
          .println(
              "soci: warning: skipping SOCI index manifest v2 for "
                  + manifest
                  + ": v2 indexes are pushed with the image after `soci convert`");
    }
    return v1.stream()
        .max(
            Comparator.comparing(
                ArtifactEntry::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
  }
}
