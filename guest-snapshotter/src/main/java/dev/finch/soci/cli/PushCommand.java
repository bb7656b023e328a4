package dev.finch.soci.cli;

import dev.finch.soci.containerd.PlatformImage;
import dev.finch.soci.containerd.ResolvedImage;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.store.ArtifactEntry;
import dev.finch.soci.store.ArtifactType;
import dev.finch.soci.store.ContentStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
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

  @Option(
      names = "--max-concurrent-uploads",
      description = "blobs uploaded at once (default ${DEFAULT-VALUE})",
      defaultValue = "3")
  int maxConcurrentUploads;

  @Option(
      names = {"-q", "--quiet"},
      description = "print only the pushed index digests")
  boolean quiet;

  @Option(
      names = "--existing-index",
      description =
          "when the registry already has a SOCI index for the image: warn (default; push anyway), skip, or allow",
      defaultValue = "warn")
  String existingIndex;

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
    if (!List.of("warn", "skip", "allow").contains(existingIndex)) {
      throw new SociException(
          "invalid --existing-index \"" + existingIndex + "\": expected warn, skip or allow");
    }
    if (maxConcurrentUploads < 1) {
      throw new SociException("--max-concurrent-uploads must be at least 1");
    }
    IndexFlags sel = new IndexFlags();
    sel.allPlatforms = allPlatforms;
    sel.platforms = platforms;
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (SociContext ctx = new SociContext(global)) {
      ResolvedImage resolved = Images.resolve(ctx.containerd(), image, sel.selection());
      ImageRef ref;
      try {
        ref = ImageRef.parse(resolved.image().name());
      } catch (IllegalArgumentException e) {
        throw new SociException(e.getMessage());
      }
      try (RegistryClient client =
          registry.client(
              ref.registry().equals(ImageRef.DOCKER_HUB) ? ref.endpointHost() : ref.registry())) {
        String repo = ref.repository();
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
          if (!existingIndex.equals("allow")) {
            if (!quiet) {
              out.println("checking if a soci index already exists in remote repository...");
              out.flush();
            }
            List<Descriptor> existing =
                client.referrers(repo, pi.descriptor().digest(), MediaTypes.SOCI_INDEX_V1);
            if (!existing.isEmpty()) {
              String found = existing.getFirst().digest().toString();
              if (existingIndex.equals("skip")) {
                out.println(
                    "soci index found in remote repository with digest: "
                        + found
                        + ": skipping pushing artifacts for image manifest: "
                        + pi.descriptor().digest());
                continue;
              }
              err.println(
                  "[WARN] soci index found in remote repository with digest: "
                      + found
                      + ": pushing index anyway");
              err.flush();
            }
          }
          if (!quiet) {
            out.println("pushing soci index with digest: " + indexDigest);
            out.flush();
          }
          pushIndex(ctx.store(), client, repo, index, out, new Progress(err));
          if (quiet) {
            out.println(indexDigest);
          }
          pushed++;
        }
        out.flush();
        return pushed > 0 || existingIndex.equals("skip") ? 0 : 1;
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

  private void pushIndex(
      ContentStore store,
      RegistryClient client,
      String repo,
      SociIndex index,
      PrintWriter out,
      Progress progress)
      throws Exception {
    List<Descriptor> blobs = new ArrayList<>(index.manifest().layers());
    blobs.add(index.manifest().config());
    Semaphore slots = new Semaphore(maxConcurrentUploads);
    try (Progress.Counter bar = progress.count("pushing", blobs.size() + 1, "artifacts");
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (Descriptor d : blobs) {
        futures.add(
            pool.submit(
                () -> {
                  slots.acquire();
                  try {
                    byte[] data =
                        d.digest().equals(MediaTypes.EMPTY_JSON_DIGEST)
                            ? SociIndex.EMPTY_CONFIG
                            : store.readAll(d.digest());
                    boolean uploaded = client.pushBlob(repo, d.digest(), data);
                    report(
                        bar,
                        out,
                        (uploaded ? "successfully pushed" : "skipped")
                            + " artifact with digest: "
                            + d.digest());
                    return null;
                  } finally {
                    slots.release();
                  }
                }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof Exception ex ? ex : e;
        }
      }
      client.pushManifest(repo, index.digest().toString(), MediaTypes.OCI_MANIFEST, index.bytes());
      report(bar, out, "successfully pushed artifact with digest: " + index.digest());
    }
  }

  // one artifact more is done: its line (unless -q) above the progress line, which counts it
  private synchronized void report(Progress.Counter bar, PrintWriter out, String line) {
    if (!quiet) {
      bar.println(out, line);
    }
    bar.advance(1);
  }
}
