package dev.finch.soci.cli.index;

import dev.finch.soci.cli.GlobalOptions;
import dev.finch.soci.cli.SociContext;
import dev.finch.soci.cli.SociException;
import dev.finch.soci.cli.TabWriter;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Platform;
import dev.finch.soci.store.ArtifactEntry;
import dev.finch.soci.store.ArtifactType;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code soci index list}: the indexes in the artifacts database. */
@Command(
    name = "list",
    aliases = "ls",
    description = "List SOCI indexes",
    mixinStandardHelpOptions = true)
public final class IndexListCommand implements Callable<Integer> {
  GlobalOptions global;

  @Option(names = "--ref", description = "only indexes created for this image reference")
  String ref;

  @Option(
      names = {"-q", "--quiet"},
      description = "print only the index digests")
  boolean quiet;

  @Option(
      names = {"-p", "--platform"},
      description = "only indexes for this platform (os/arch[/variant])")
  List<String> platforms = new ArrayList<>();

  @Option(names = "--format", description = "output format: table (default) or json")
  String format = "table";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    List<Platform> wanted = platforms.stream().map(Platform::parse).toList();
    List<ArtifactEntry> rows;
    try (SociContext ctx = new SociContext(global)) {
      rows =
          ctx.db()
              .find(
                  e ->
                      e.type() == ArtifactType.SOCI_INDEX
                          && (ref == null || matchesRef(ref, e.imageRef()))
                          && (wanted.isEmpty()
                              || wanted.stream()
                                  .anyMatch(
                                      p ->
                                          e.platform() != null
                                              && p.matches(Platform.parse(e.platform())))));
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
        m.put("imageRef", e.imageRef() == null ? "" : e.imageRef());
        m.put("imageDigest", e.imageDigest() == null ? "" : e.imageDigest().toString());
        m.put("platform", e.platform());
        m.put("mediaType", e.mediaType());
        m.put("manifestVersion", version(e));
        m.put("created", String.valueOf(e.createdAt()));
        list.add(m);
      }
      out.println(Json.pretty(list));
    } else if (!format.equals("table")) {
      throw new SociException("invalid --format \"" + format + "\": expected table or json");
    } else {
      TabWriter tw = new TabWriter();
      tw.row(
          "DIGEST", "SIZE", "IMAGE REF", "PLATFORM", "MEDIA TYPE", "MANIFEST VERSION", "CREATED");
      for (ArtifactEntry e : rows) {
        tw.row(
            e.digest(),
            e.size(),
            e.imageRef(),
            e.platform(),
            e.mediaType(),
            version(e),
            ago(e.createdAt()));
      }
      tw.flush(out);
    }
    out.flush();
    return 0;
  }

  public static boolean matchesRef(String wanted, String actual) {
    if (actual == null) {
      return false;
    }
    try {
      return dev.finch.soci.oci.ImageRef.parse(wanted)
          .toString()
          .equals(dev.finch.soci.oci.ImageRef.parse(actual).toString());
    } catch (IllegalArgumentException e) {
      return wanted.equals(actual);
    }
  }

  static String version(ArtifactEntry e) {
    return dev.finch.soci.oci.MediaTypes.SOCI_INDEX_V2.equals(e.artifactType()) ? "v2" : "v1";
  }

  static String ago(Instant t) {
    if (t == null) {
      return "";
    }
    Duration d = Duration.between(t, Instant.now());
    if (d.toSeconds() < 60) {
      return d.toSeconds() + "s ago";
    }
    if (d.toMinutes() < 60) {
      return d.toMinutes() + "m ago";
    }
    if (d.toHours() < 48) {
      return d.toHours() + "h ago";
    }
    return d.toDays() + "d ago";
  }
}
