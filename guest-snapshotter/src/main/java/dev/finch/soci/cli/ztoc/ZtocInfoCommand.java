package dev.finch.soci.cli.ztoc;

import dev.finch.soci.cli.GlobalOptions;
import dev.finch.soci.cli.SociContext;
import dev.finch.soci.cli.SociException;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import dev.finch.soci.store.ArtifactType;
import dev.finch.soci.ztoc.FileMetadata;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocCodec;
import dev.finch.soci.ztoc.compression.Zinfo;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code soci ztoc info DIGEST}: the zTOC's summary and file table as the reference prints it (Go
 * MarshalIndent; span ids per file from the checkpoints).
 */
@Command(
    name = "info",
    description = "Show a zTOC's file table and spans",
    mixinStandardHelpOptions = true)
public final class ZtocInfoCommand implements Callable<Integer> {
  GlobalOptions global;

  @Parameters(paramLabel = "DIGEST", description = "digest of the zTOC")
  String digest;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    Digest d = SociContext.parseDigest(digest);
    try (SociContext ctx = new SociContext(global)) {
      if (ctx.db().get(d).filter(e -> e.type() == ArtifactType.SOCI_INDEX).isPresent()) {
        throw new SociException(
            "the provided digest belongs to a SOCI index. Use `soci index info` to get the detailed information about it");
      }
      byte[] bytes = ctx.readAll(d, "couldn't retrieve artifact for " + d + ", not found");
      spec.commandLine().getOut().println(render(bytes));
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  /** The JSON document {@code ztoc info} prints for a serialized zTOC. */
  public static String render(byte[] bytes) throws ZtocException {
    Ztoc z = ZtocCodec.decode(bytes);
    Zinfo zinfo = z.compressionInfo().zinfo();
    List<Map<String, Object>> files = new ArrayList<>();
    int multi = 0;
    for (FileMetadata m : z.toc()) {
      int start = zinfo.spanIdForUncompressedOffset(m.uncompressedOffset());
      int end = zinfo.spanIdForUncompressedOffset(m.uncompressedOffset() + m.uncompressedSize());
      if (start != end) {
        multi++;
      }
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("filename", m.name());
      f.put("offset", m.uncompressedOffset());
      f.put("size", m.uncompressedSize());
      f.put("type", m.type());
      f.put("start_span", start);
      f.put("end_span", end);
      files.add(f);
    }
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("version", z.version());
    info.put("build_tool", z.buildToolIdentifier());
    info.put("size", bytes.length);
    info.put("span_size", zinfo.spanSize());
    info.put("num_spans", z.compressionInfo().maxSpanId() + 1);
    info.put("num_files", z.toc().size());
    info.put("num_multi_span_files", multi);
    info.put("files", files.isEmpty() ? null : files);
    return Json.prettyKeepOrder(info);
  }
}
