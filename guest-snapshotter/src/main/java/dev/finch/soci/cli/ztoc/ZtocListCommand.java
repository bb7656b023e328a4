package dev.finch.soci.cli.ztoc;

import dev.finch.soci.cli.GlobalOptions;
import dev.finch.soci.cli.SociContext;
import dev.finch.soci.cli.SociException;
import dev.finch.soci.cli.TabWriter;
import dev.finch.soci.cli.index.IndexListCommand;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import dev.finch.soci.store.ArtifactEntry;
import dev.finch.soci.store.ArtifactType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code soci ztoc list}: the zTOCs in the artifacts database, optionally of one image. */
@Command(name = "list", aliases = "ls", description = "List zTOCs", mixinStandardHelpOptions = true)
final class ZtocListCommand implements Callable<Integer> {
  GlobalOptions global;

  @Option(names = "--ztoc-digest", description = "only this zTOC")
  String ztocDigest;

  @Option(names = "--image-ref", description = "only zTOCs of the indexes created for this image")
  String imageRef;

  @Option(
      names = {"-q", "--quiet"},
      description = "print only the zTOC digests")
  boolean quiet;

  @Option(names = "--format", description = "output format: table (default) or json")
  String format = "table";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    Digest only = ztocDigest == null ? null : SociContext.parseDigest(ztocDigest);
    List<ArtifactEntry> rows;
    try (SociContext ctx = new SociContext(global)) {
      List<ArtifactEntry> all = ctx.db().list();
      Set<Digest> ofImage = null;
      if (imageRef != null) {
        Set<Digest> images =
            all.stream()
                .filter(
                    e ->
                        e.type() == ArtifactType.SOCI_INDEX
                            && IndexListCommand.matchesRef(imageRef, e.imageRef()))
                .map(ArtifactEntry::imageDigest)
                .collect(Collectors.toSet());
        if (images.isEmpty()) {
          throw new SociException(
              "no SOCI index found for image "
                  + imageRef
                  + "; run `soci create "
                  + imageRef
                  + "` first");
        }
        ofImage = images;
      }
      Set<Digest> imageFilter = ofImage;
      rows =
          all.stream()
              .filter(e -> e.type() == ArtifactType.SOCI_LAYER)
              .filter(e -> only == null || e.digest().equals(only))
              .filter(e -> imageFilter == null || imageFilter.contains(e.imageDigest()))
              .toList();
      if (only != null && rows.isEmpty()) {
        throw new SociException(
            "ztoc " + only + " not found" + (imageRef == null ? "" : " for image " + imageRef));
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (quiet) {
      rows.forEach(e -> out.println(e.digest()));
    } else if (format.equals("json")) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (ArtifactEntry e : rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("digest", e.digest().toString());
        m.put("size", e.size());
        m.put("layerDigest", e.originalDigest().toString());
        m.put("spanSize", e.spanSize());
        list.add(m);
      }
      out.println(Json.pretty(list));
    } else if (!format.equals("table")) {
      throw new SociException("invalid --format \"" + format + "\": expected table or json");
    } else {
      TabWriter tw = new TabWriter();
      tw.row("DIGEST", "SIZE", "LAYER DIGEST");
      for (ArtifactEntry e : rows) {
        tw.row(e.digest(), e.size(), e.originalDigest());
      }
      tw.flush(out);
    }
    out.flush();
    return 0;
  }
}
