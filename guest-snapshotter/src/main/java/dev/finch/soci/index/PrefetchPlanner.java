package dev.finch.soci.index;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.ztoc.FileMetadata;
import dev.finch.soci.ztoc.TocValidation;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.compression.Zinfo;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns {@code --prefetch-file} paths into one {@link PrefetchArtifact} per layer. Each path is
 * looked up from the top layer down among the layers that have a zTOC, so a file an upper layer
 * replaces is prefetched from that upper layer. The file's spans run from the span holding its
 * first byte to the span holding offset + size, as the reference computes them (a file ending
 * exactly on a span boundary therefore also names the next span).
 *
 * <p>Paths match TOC names after both are cleaned ({@code /usr/bin/app}, {@code usr/bin/app} and
 * {@code ./usr/bin/app} are the same file); the reference compares {@code filepath.Clean(name)}
 * with the path as given. Within one layer the last entry of that name wins, as when the tar is
 * unpacked.
 */
final class PrefetchPlanner {
  private PrefetchPlanner() {}

  /** A layer that got a zTOC, in image layer order (bottom first). */
  record IndexedLayer(Digest layer, Ztoc ztoc) {}

  /**
   * The artifacts, keyed by layer digest, in image layer order; layers holding none of the paths
   * are absent.
   *
   * @throws PrefetchPathNotFoundException for the first path found in no layer
   */
  static Map<Digest, PrefetchArtifact> plan(List<IndexedLayer> layers, List<String> paths)
      throws PrefetchPathNotFoundException, ZtocException {
    Map<Digest, List<PrefetchArtifact.SpanRange>> ranges = new LinkedHashMap<>();
    Map<Digest, Zinfo> zinfos = new HashMap<>();
    for (String path : paths) {
      String wanted = TocValidation.cleanPath(path);
      boolean found = false;
      for (int i = layers.size() - 1; i >= 0 && !found; i--) {
        IndexedLayer l = layers.get(i);
        FileMetadata entry = wanted.isEmpty() ? null : lastEntry(l.ztoc(), wanted);
        if (entry != null) {
          Zinfo z = zinfos.get(l.layer());
          if (z == null) {
            z = l.ztoc().compressionInfo().zinfo();
            zinfos.put(l.layer(), z);
          }
          int max = l.ztoc().compressionInfo().maxSpanId();
          ranges.computeIfAbsent(l.layer(), k -> new ArrayList<>()).add(spansOf(z, max, entry));
          found = true;
        }
      }
      if (!found) {
        throw new PrefetchPathNotFoundException(path);
      }
    }
    Map<Digest, PrefetchArtifact> out = new LinkedHashMap<>();
    for (IndexedLayer l : layers) {
      List<PrefetchArtifact.SpanRange> r = ranges.get(l.layer());
      if (r != null) {
        out.put(l.layer(), PrefetchArtifact.of(r));
      }
    }
    return out;
  }

  private static FileMetadata lastEntry(Ztoc ztoc, String cleanName) {
    FileMetadata hit = null;
    for (FileMetadata m : ztoc.toc()) {
      if (m.cleanName().equals(cleanName)) {
        hit = m;
      }
    }
    return hit;
  }

  /** Span ids from the span of the file's first byte to the span holding offset + size. */
  static PrefetchArtifact.SpanRange spansOf(Zinfo z, int maxSpanId, FileMetadata m) {
    int start = Math.min(z.spanIdForUncompressedOffset(m.uncompressedOffset()), maxSpanId);
    int end =
        Math.min(
            z.spanIdForUncompressedOffset(m.uncompressedOffset() + m.uncompressedSize()),
            maxSpanId);
    return new PrefetchArtifact.SpanRange(start, Math.max(start, end));
  }
}
