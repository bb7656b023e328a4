package dev.finch.soci.lazy.mount;

import dev.finch.soci.fs.EntryType;
import dev.finch.soci.fs.LayerEntry;
import dev.finch.soci.ztoc.FileMetadata;
import dev.finch.soci.ztoc.Ztoc;
import java.util.ArrayList;
import java.util.List;

/** The filesystem view of a zTOC: one {@link LayerEntry} per TOC entry, in tar order. */
final class ZtocLayers {
  private ZtocLayers() {}

  static List<LayerEntry> entries(Ztoc ztoc) {
    List<LayerEntry> out = new ArrayList<>(ztoc.toc().size());
    for (FileMetadata m : ztoc.toc()) {
      out.add(
          new LayerEntry(
              m.name(),
              EntryType.fromToc(m.type()),
              m.mode(),
              (int) m.uid(),
              (int) m.gid(),
              m.uncompressedSize(),
              m.linkname(),
              m.devmajor(),
              m.devminor(),
              LayerEntry.parseModTime(m.modTime()),
              m.xattrs(),
              m.uncompressedOffset()));
    }
    return out;
  }
}
