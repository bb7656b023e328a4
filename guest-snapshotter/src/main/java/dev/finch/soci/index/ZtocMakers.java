package dev.finch.soci.index;

import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.ztoc.FileMetadata;
import dev.finch.soci.ztoc.UnsupportedLayerException;
import dev.finch.soci.ztoc.ZtocBuilder;

/** Adapts the zTOC builder to index creation. */
public final class ZtocMakers {
  private ZtocMakers() {}

  public static ZtocMaker standard() {
    return (layer, compression, blob, spanSize) -> {
      if (compression == MediaTypes.Compression.ZSTD) {
        throw new ZtocMaker.UnsupportedLayerException(UnsupportedLayerException.ZSTD_SKIPPED);
      }
      try {
        ZtocBuilder.Result r = new ZtocBuilder(spanSize).build(blob, compression, layer.digest());
        boolean xattrs =
            r.ztoc().toc().stream()
                .anyMatch(
                    m -> !m.extendedAttributes().isEmpty() || m.name().endsWith(".wh..wh..opq"));
        return new ZtocMaker.Made(r.encoded(), xattrs);
      } catch (UnsupportedLayerException e) {
        throw new ZtocMaker.UnsupportedLayerException(e.getMessage());
      }
    };
  }

  public static boolean isRegular(FileMetadata m) {
    return m.type().equals(FileMetadata.TYPE_REG);
  }
}
