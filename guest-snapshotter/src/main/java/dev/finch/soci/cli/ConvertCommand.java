package dev.finch.soci.cli;

import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.Image;
import dev.finch.soci.containerd.PlatformImage;
import dev.finch.soci.containerd.ResolvedImage;
import dev.finch.soci.index.IndexCreator;
import dev.finch.soci.index.IndexOptions;
import dev.finch.soci.index.InvalidLayoutException;
import dev.finch.soci.index.LayerOutcome;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.index.StandaloneConversion;
import dev.finch.soci.index.V2Conversion;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.store.ContainerdContentStore;
import dev.finch.soci.store.ContentStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code soci convert SRC DST}: SOCI index manifest v2. Builds a v2 index per platform and writes a
 * new image DST whose manifests carry {@code com.amazon.soci.index-digest} and whose OCI index
 * lists the SOCI indexes; push DST with any OCI-aware tool and the snapshotter finds the index
 * through the manifest annotation. With {@code --standalone}, SRC and DST are OCI layouts and
 * containerd is not used.
 */
@Command(
    name = "convert",
    description = "Convert an image to carry a SOCI index manifest v2",
    mixinStandardHelpOptions = true)
public final class ConvertCommand implements Callable<Integer> {
  GlobalOptions global;
  @Mixin IndexFlags flags;

  @Option(
      names = "--standalone",
      description = "SRC and DST are OCI layouts on disk; containerd is not used")
  boolean standalone;

  @Option(
      names = "--format",
      description = "with --standalone: oci-archive (default; a tar) or oci-dir",
      defaultValue = "oci-archive")
  String format;

  @Parameters(
      index = "0",
      paramLabel = "SRC",
      description = "source image (containerd name, or layout path with --standalone)")
  String src;

  @Parameters(
      index = "1",
      paramLabel = "DST",
      description = "destination image name (tag, no digest), or layout path with --standalone")
  String dst;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    IndexOptions opts = flags.options();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (standalone) {
      if (!format.equals("oci-archive") && !format.equals("oci-dir")) {
        throw new SociException(
            "invalid --format \"" + format + "\": expected oci-archive or oci-dir");
      }
      Descriptor result;
      try {
        result =
            new StandaloneConversion(
                    global.root(), opts, flags.selection(), format.equals("oci-archive"))
                .convert(Path.of(src), Path.of(dst), line -> report(out, line));
      } catch (InvalidLayoutException e) {
        throw new SociException(e.getMessage(), e);
      }
      out.println(result.digest());
      out.flush();
      return 0;
    }
    ImageRef dstRef;
    try {
      dstRef = ImageRef.parse(dst);
    } catch (IllegalArgumentException e) {
      throw new SociException(e.getMessage());
    }
    if (dstRef.digest() != null) {
      throw new SociException(
          "destination " + dst + " must be a tagged reference without a digest");
    }
    try (SociContext ctx = new SociContext(global)) {
      ContainerdClient cd = ctx.containerd();
      ResolvedImage resolved = Images.resolve(cd, src, flags.selection());
      ContentStore images = new ContainerdContentStore(cd.content());
      Progress progress = new Progress(spec.commandLine().getErr());
      IndexCreator creator = ctx.indexCreator(progress);
      List<V2Conversion.PlatformIndex> built = new ArrayList<>();
      for (PlatformImage pi : resolved.manifests()) {
        IndexCreator.Result r =
            creator.create(
                pi.descriptor(),
                pi.manifest(),
                Images.platformOf(pi),
                SociIndex.Version.V2,
                opts,
                resolved.image().name(),
                o -> {
                  report(out, o.message());
                  o.warnings().forEach(w -> report(err, "soci: warning: " + w));
                });
        r.index()
            .ifPresent(
                idx ->
                    built.add(
                        new V2Conversion.PlatformIndex(
                            pi.descriptor().digest(), Images.platformOf(pi), idx)));
      }
      if (built.isEmpty()) {
        throw new SociException(LayerOutcome.noZtocsMessage(List.of(), opts));
      }
      Descriptor top = resolved.image().target();
      byte[] topBytes = images.readAll(top.digest());
      PlatformImage only =
          resolved.manifests().size() == 1 ? resolved.manifests().getFirst() : null;
      V2Conversion.Result conv =
          V2Conversion.convert(
              top,
              topBytes,
              only == null ? null : Images.platformOf(only),
              built,
              d -> images.exists(d) ? images.readAll(d) : null);
      for (V2Conversion.Blob b : conv.manifests()) {
        images.write(
            b.descriptor().digest(),
            b.bytes(),
            manifestGcLabels(Json.read(b.bytes(), Manifest.class)));
      }
      Map<String, String> idxLabels = new LinkedHashMap<>();
      List<Descriptor> entries =
          Json.read(conv.index().bytes(), dev.finch.soci.oci.ImageIndex.class).manifests();
      for (int i = 0; i < entries.size(); i++) {
        idxLabels.put("containerd.io/gc.ref.content.m." + i, entries.get(i).digest().toString());
      }
      images.write(conv.index().descriptor().digest(), conv.index().bytes(), idxLabels);
      cd.images().createOrUpdate(new Image(dst, conv.index().descriptor(), Map.of(), null, null));
      out.println(conv.index().descriptor().digest());
      out.flush();
    }
    return 0;
  }

  static Map<String, String> manifestGcLabels(Manifest m) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("containerd.io/gc.ref.content.config", m.config().digest().toString());
    for (int i = 0; i < m.layers().size(); i++) {
      labels.put("containerd.io/gc.ref.content.l." + i, m.layers().get(i).digest().toString());
    }
    return labels;
  }

  private static void report(PrintWriter out, String line) {
    out.println(line);
    out.flush();
  }
}
