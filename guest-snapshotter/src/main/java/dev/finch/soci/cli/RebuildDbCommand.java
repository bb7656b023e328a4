package dev.finch.soci.cli;

import dev.finch.soci.index.SociIndex;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.store.ArtifactEntry;
import dev.finch.soci.store.ArtifactType;
import dev.finch.soci.store.ContentStore;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code soci rebuild-db}: drops database entries whose blobs are gone and re-adds every SOCI index
 * (and its zTOCs) found in the content store, e.g. after copying blobs in by hand.
 */
@Command(
    name = "rebuild-db",
    description = "Rebuild the artifacts database from the content store",
    mixinStandardHelpOptions = true)
public final class RebuildDbCommand implements Callable<Integer> {
  private static final long MAX_INDEX_SIZE = 4L << 20;

  GlobalOptions global;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    try (SociContext ctx = new SociContext(global)) {
      ContentStore store = ctx.store();
      Map<Digest, ArtifactEntry> kept = new LinkedHashMap<>();
      int dropped = 0;
      for (ArtifactEntry e : ctx.db().list()) {
        if (store.exists(e.digest())) {
          kept.put(e.digest(), e);
        } else {
          dropped++;
        }
      }
      int added = 0;
      for (Digest d : store.list()) {
        if (kept.containsKey(d) || store.size(d) > MAX_INDEX_SIZE || !looksLikeJson(store, d)) {
          continue;
        }
        SociIndex idx;
        try {
          idx = SociIndex.parse(store.readAll(d));
        } catch (IOException notAnIndex) {
          continue;
        }
        Descriptor subject = idx.manifest().subject();
        List<ArtifactEntry> found = new ArrayList<>();
        found.add(
            new ArtifactEntry(
                d,
                idx.bytes().length,
                subject == null ? null : subject.digest(),
                subject == null ? null : subject.digest(),
                null,
                ctx.location(),
                ArtifactType.SOCI_INDEX,
                MediaTypes.OCI_MANIFEST,
                idx.version().artifactType(),
                Instant.now(),
                0,
                null));
        for (Descriptor z : idx.ztocs()) {
          String layer = z.annotation(MediaTypes.ANN_IMAGE_LAYER_DIGEST);
          String span = z.annotation(MediaTypes.ANN_SPAN_SIZE);
          if (kept.containsKey(z.digest()) || layer == null || !store.exists(z.digest())) {
            continue;
          }
          found.add(
              new ArtifactEntry(
                  z.digest(),
                  z.size(),
                  Digest.parse(layer),
                  subject == null ? null : subject.digest(),
                  null,
                  ctx.location(),
                  ArtifactType.SOCI_LAYER,
                  MediaTypes.SOCI_ZTOC,
                  null,
                  Instant.now(),
                  span == null ? 0 : Long.parseLong(span),
                  null));
        }
        for (ArtifactEntry e : found) {
          kept.put(e.digest(), e);
        }
        added += found.size();
      }
      ctx.db().replaceAll(new ArrayList<>(kept.values()));
      spec.commandLine()
          .getOut()
          .printf(
              "rebuilt artifacts database: %d entries (%d added, %d dropped)%n",
              kept.size(), added, dropped);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  private static boolean looksLikeJson(ContentStore store, Digest d) throws IOException {
    try (InputStream in = store.open(d)) {
      int c;
      do {
        c = in.read();
      } while (c == ' ' || c == '\n' || c == '\t' || c == '\r');
      return c == '{';
    }
  }
}
