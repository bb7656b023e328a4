package dev.finch.soci.index;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.ztoc.compression.Zinfo;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;

/**
 * Turns {@code --record} recordings (and the {@code --prefetch-file} artifacts, if any) into one
 * prefetch artifact per layer whose priorities keep the time order of the recording.
 *
 * <p>Each recorded range becomes the spans of this zTOC that hold it; each span is kept once, at
 * its first read. The spans, in that order, are cut into runs of consecutive span ids (a file read
 * from start to end is one run); run <i>k</i> becomes one range with priority <i>k</i> (0 first).
 * Ranges are listed by start span, and neighbours of different priority are not joined, so that the
 * order survives. Spans of {@code --prefetch-file} paths not read in the recording come after the
 * recorded ones. The output depends only on the inputs: the same recording and zTOC give the same
 * artifact bytes.
 */
final class RecordPlanner {
  private RecordPlanner() {}

  /**
   * The artifacts, keyed by layer digest, in image layer order; layers with neither a recording nor
   * a path artifact are absent. Recordings of layers that are not in {@code layers} are ignored.
   */
  static Map<Digest, PrefetchArtifact> plan(
      List<PrefetchPlanner.IndexedLayer> layers,
      List<ReadRecord> recordings,
      Map<Digest, PrefetchArtifact> fromPaths)
      throws ZtocException {
    Map<Digest, PrefetchArtifact> out = new LinkedHashMap<>();
    for (PrefetchPlanner.IndexedLayer l : layers) {
      Zinfo z = null;
      int max = l.ztoc().compressionInfo().maxSpanId();
      SequencedSet<Integer> order = new LinkedHashSet<>();
      for (ReadRecord r : recordings) {
        if (!r.layer().equals(l.layer())) {
          continue;
        }
        if (z == null) {
          z = l.ztoc().compressionInfo().zinfo();
        }
        for (ReadRecord.Range range : r.ranges()) {
          int first = Math.min(z.spanIdForUncompressedOffset(range.offset()), max);
          int last = Math.min(z.spanIdForUncompressedOffset(range.end() - 1), max);
          for (int s = first; s <= last; s++) {
            order.add(s);
          }
        }
      }
      PrefetchArtifact paths = fromPaths.get(l.layer());
      if (paths != null) {
        for (int s : paths.spanIds(max)) {
          order.add(s);
        }
      }
      if (!order.isEmpty()) {
        out.put(l.layer(), ordered(order));
      }
    }
    return out;
  }

  /** Span ids in fetch order as an artifact: runs of consecutive ids, priority = run index. */
  static PrefetchArtifact ordered(SequencedSet<Integer> order) {
    List<PrefetchArtifact.SpanRange> runs = new ArrayList<>();
    int start = -1;
    int prev = -1;
    for (int s : order) {
      if (start >= 0 && s == prev + 1) {
        prev = s;
        continue;
      }
      if (start >= 0) {
        runs.add(new PrefetchArtifact.SpanRange(start, prev, runs.size()));
      }
      start = s;
      prev = s;
    }
    runs.add(new PrefetchArtifact.SpanRange(start, prev, runs.size()));
    runs.sort(Comparator.comparingInt(PrefetchArtifact.SpanRange::startSpan));
    return new PrefetchArtifact(PrefetchArtifact.VERSION, runs);
  }
}
