package dev.finch.soci.index;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.MediaTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A SOCI prefetch artifact (experimental in the reference, v0.13.0+): the spans of one image layer
 * to fetch before the layer is used. It is a small JSON blob listed in the SOCI index after the
 * zTOCs, with media type {@link #MEDIA_TYPE} and only the {@code
 * com.amazon.soci.image-layer-digest} annotation naming its layer. {@code soci create
 * --prefetch-file PATH} builds one per layer that holds a requested file; the snapshotter reads it
 * when it mounts that layer.
 *
 * <pre>
 * {"version":"1.0","prefetch_spans":[{"start_span":0,"end_span":2},{"start_span":7,"end_span":7,"priority":1}]}
 * </pre>
 *
 * <p>Ranges are inclusive span ids of the layer's zTOC. {@link #toJson()} writes exactly what the
 * reference's {@code json.Marshal(PrefetchArtifact)} writes: compact, fields in the order above,
 * {@code priority} omitted when 0 ({@code omitempty}). An artifact always has at least one range:
 * the reference refuses to write or read an empty one.
 *
 * @param version format version, {@link #VERSION} for every artifact written here
 * @param spans the ranges in file order; {@link #of} sorts and merges them
 * @see <a
 *     href="https://github.com/awslabs/soci-snapshotter/blob/main/docs/prefetch.md">docs/prefetch.md</a>
 */
@JsonPropertyOrder({"version", "prefetch_spans"})
public record PrefetchArtifact(
    @JsonProperty("version") String version,
    @JsonProperty("prefetch_spans") List<SpanRange> spans) {
  /** Media type of the artifact blob and of its descriptor in the SOCI index. */
  public static final String MEDIA_TYPE = MediaTypes.SOCI_PREFETCH;

  /** The only artifact version there is. */
  public static final String VERSION = "1.0";

  /**
   * One inclusive range of span ids.
   *
   * @param startSpan first span id, at least 0
   * @param endSpan last span id, at least {@code startSpan}
   * @param priority reserved by the reference for prioritized prefetch (lower first); 0 = none
   */
  @JsonPropertyOrder({"start_span", "end_span", "priority"})
  public record SpanRange(
      @JsonProperty("start_span") int startSpan,
      @JsonProperty("end_span") int endSpan,
      @JsonProperty("priority") @JsonInclude(JsonInclude.Include.NON_DEFAULT) int priority) {
    public SpanRange {
      if (startSpan < 0 || endSpan < 0) {
        throw new IllegalArgumentException(
            "span ids must not be negative, got start_span " + startSpan + ", end_span " + endSpan);
      }
      if (endSpan < startSpan) {
        throw new IllegalArgumentException(
            "end_span " + endSpan + " is before start_span " + startSpan);
      }
    }

    /** A range without priority. */
    public SpanRange(int startSpan, int endSpan) {
      this(startSpan, endSpan, 0);
    }
  }

  public PrefetchArtifact {
    Objects.requireNonNull(version, "version");
    spans = List.copyOf(spans);
    if (spans.isEmpty()) {
      throw new IllegalArgumentException("prefetch artifact is empty");
    }
  }

  /**
   * Parses an artifact blob. Fails with a message naming the problem for JSON that does not parse,
   * a version other than {@value #VERSION}, no ranges, or a range that is negative, inverted or not
   * an integer. Unknown fields are ignored, as Go's decoder does.
   */
  public static PrefetchArtifact parse(byte[] json) throws IOException {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IOException("prefetch artifact is not valid JSON: " + Json.problem(e));
    }
    if (root == null || !root.isObject()) {
      throw new IOException("prefetch artifact is not a JSON object");
    }
    JsonNode version = root.get("version");
    if (version == null || !version.isTextual() || !version.asText().equals(VERSION)) {
      throw new IOException(
          "unsupported prefetch artifact version: "
              + (version == null ? "none" : version)
              + " (expected "
              + VERSION
              + ")");
    }
    JsonNode spans = root.get("prefetch_spans");
    if (spans == null || spans.isNull() || (spans.isArray() && spans.isEmpty())) {
      throw new IOException("prefetch artifact is empty");
    }
    if (!spans.isArray()) {
      throw new IOException("prefetch artifact: prefetch_spans is not an array");
    }
    List<SpanRange> ranges = new ArrayList<>(spans.size());
    for (int i = 0; i < spans.size(); i++) {
      JsonNode s = spans.get(i);
      if (!s.isObject()) {
        throw new IOException("prefetch artifact: prefetch_spans[" + i + "] is not an object");
      }
      int start = intField(s, "start_span", i);
      int end = intField(s, "end_span", i);
      int priority = s.has("priority") ? intField(s, "priority", i) : 0;
      try {
        ranges.add(new SpanRange(start, end, priority));
      } catch (IllegalArgumentException e) {
        throw new IOException("prefetch artifact: prefetch_spans[" + i + "]: " + e.getMessage());
      }
    }
    return new PrefetchArtifact(version.asText(), ranges);
  }

  /**
   * An artifact of the given ranges, sorted by start then end, with overlapping and adjacent ranges
   * joined ({@code [0,2]} and {@code [3,5]} become {@code [0,5]}); a joined range keeps the
   * priority of its first part, as the reference's {@code normalizePrefetchSpans}.
   *
   * @throws IllegalArgumentException if {@code ranges} is empty
   */
  public static PrefetchArtifact of(Collection<SpanRange> ranges) {
    List<SpanRange> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingInt(SpanRange::startSpan).thenComparingInt(SpanRange::endSpan));
    List<SpanRange> merged = new ArrayList<>();
    for (SpanRange r : sorted) {
      if (!merged.isEmpty()) {
        SpanRange last = merged.getLast();
        if ((long) r.startSpan() <= (long) last.endSpan() + 1) {
          if (r.endSpan() > last.endSpan()) {
            merged.set(
                merged.size() - 1, new SpanRange(last.startSpan(), r.endSpan(), last.priority()));
          }
          continue;
        }
      }
      merged.add(r);
    }
    return new PrefetchArtifact(VERSION, merged);
  }

  /** The blob bytes, identical to the reference's serialization of the same artifact. */
  public byte[] toJson() {
    return Json.bytes(this);
  }

  /** Every span id the ranges cover, ascending, each once. */
  public int[] spanIds() {
    return spanIds(Integer.MAX_VALUE);
  }

  /**
   * As {@link #spanIds()}, without ids above {@code maxSpanId}: an artifact read from a registry
   * can name ranges far beyond the layer's zTOC, and those ids mean nothing.
   */
  public int[] spanIds(int maxSpanId) {
    List<SpanRange> merged = of(spans).spans();
    long total = 0;
    for (SpanRange r : merged) {
      if (r.startSpan() <= maxSpanId) {
        total += Math.min(r.endSpan(), maxSpanId) - (long) r.startSpan() + 1;
      }
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("prefetch artifact covers " + total + " spans");
    }
    int[] ids = new int[(int) total];
    int k = 0;
    for (SpanRange r : merged) {
      int end = Math.min(r.endSpan(), maxSpanId);
      for (long id = r.startSpan(); id <= end; id++) {
        ids[k++] = (int) id;
      }
    }
    return ids;
  }

  /**
   * Span ids in the order to fetch them: ranges by priority (lower first), ties by start span, each
   * id once, without ids above {@code maxSpanId}. For an artifact built from a recording ({@code
   * soci create --record}) this is the order in which the recorded start first read them.
   */
  public int[] spanIdsInPriorityOrder(int maxSpanId) {
    List<SpanRange> byPriority = new ArrayList<>(spans);
    byPriority.sort(
        Comparator.comparingInt(SpanRange::priority).thenComparingInt(SpanRange::startSpan));
    java.util.BitSet seen = new java.util.BitSet();
    List<Integer> ids = new ArrayList<>();
    for (SpanRange r : byPriority) {
      int end = Math.min(r.endSpan(), maxSpanId);
      for (int id = r.startSpan(); id <= end && id >= 0; id++) {
        if (!seen.get(id)) {
          seen.set(id);
          ids.add(id);
        }
      }
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int intField(JsonNode s, String name, int i) throws IOException {
    JsonNode v = s.get(name);
    if (v == null || v.isNull()) {
      throw new IOException("prefetch artifact: prefetch_spans[" + i + "] has no " + name);
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IOException(
          "prefetch artifact: prefetch_spans[" + i + "]." + name + " is not a span id: " + v);
    }
    return v.intValue();
  }
}
