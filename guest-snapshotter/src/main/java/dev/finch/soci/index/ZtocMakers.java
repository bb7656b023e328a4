package dev.finch.soci.index;

import dev.finch.soci.fs.EntryNames;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.ztoc.FileMetadata;
import dev.finch.soci.ztoc.ZtocBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Adapts the zTOC builder to index creation. */
public final class ZtocMakers {
  private ZtocMakers() {}

  public static ZtocMaker standard() {
    return new ZtocMaker() {
      @Override
      public Made make(
          Descriptor layer, MediaTypes.Compression compression, InputStream blob, long spanSize)
          throws IOException {
        return make(layer, compression, blob, spanSize, false);
      }

      @Override
      public Made make(
          Descriptor layer,
          MediaTypes.Compression compression,
          InputStream blob,
          long spanSize,
          boolean fileCheckpoints)
          throws IOException {
        if (compression == MediaTypes.Compression.ZSTD) {
          throw new ZtocMaker.UnsupportedLayerException(
              dev.finch.soci.ztoc.UnsupportedLayerException.ZSTD_SKIPPED);
        }
        try {
          ZtocBuilder builder =
              fileCheckpoints
                  ? ZtocBuilder.withFileCheckpoints(spanSize)
                  : new ZtocBuilder(spanSize);
          ZtocBuilder.Result r = builder.build(blob, compression, layer.digest());
          boolean xattrs =
              r.ztoc().toc().stream()
                  .anyMatch(
                      m -> !m.extendedAttributes().isEmpty() || m.name().endsWith(".wh..wh..opq"));
          return new ZtocMaker.Made(
              r.encoded(), xattrs, nameWarnings(r.ztoc().toc(), "layer " + layer.digest()));
        } catch (dev.finch.soci.ztoc.UnsupportedLayerException e) {
          throw new ZtocMaker.UnsupportedLayerException(e.getMessage());
        }
      }
    };
  }

  /**
   * One warning per path in {@code toc} that has a component over the kernel's limit on names
   * ({@link EntryNames#NAME_MAX} bytes). The zTOC keeps such entries, as the reference's does (it
   * stays byte-compatible); a lazy mount leaves them out, and containerd cannot unpack the layer.
   *
   * @param layer what the entries belong to, for the message ({@code layer sha256:...})
   */
  public static List<String> nameWarnings(List<FileMetadata> toc, String layer) {
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (FileMetadata m : toc) {
      EntryNames.overlong(m.name())
          .filter(o -> seen.add(o.path()))
          .ifPresent(
              o ->
                  out.add(
                      layer
                          + ": entry \""
                          + o.path()
                          + "\" has "
                          + o.reason()
                          + "; a lazy mount of the layer leaves it out (with everything below it),"
                          + " and containerd's own unpack of the layer would fail on it"));
    }
    return out;
  }

  public static boolean isRegular(FileMetadata m) {
    return m.type().equals(FileMetadata.TYPE_REG);
  }
}
