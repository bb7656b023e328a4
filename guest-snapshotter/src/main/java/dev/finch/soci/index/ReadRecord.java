package dev.finch.soci.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a container start read of one lazily mounted layer, in the order it was first read: the
 * daemon writes one per layer ({@code <root>/soci/record/<layer hex>.json}) and {@code soci create
 * --record} turns it into the layer's prefetch artifact.
 *
 * <pre>
 * {"version":1,"layer":"sha256:…","ranges":[[1048576,131072],[0,65536]]}
 * </pre>
 *
 * <p>Each range is {@code [offset, length]} in the layer's uncompressed tar, in time order of the
 * first read. Tar offsets are a property of the layer blob alone, so a recording stays valid for
 * any zTOC of that layer, whatever its span size: span ids are computed only when the artifact is
 * built, from the zTOC the index holds.
 *
 * @param layer the layer blob's digest
 * @param ranges first-read ranges in time order
 */
public record ReadRecord(Digest layer, List<Range> ranges) {
  /** The only format version there is. */
  public static final int VERSION = 1;

  /**
   * One range of the uncompressed tar.
   *
   * @param offset first byte, at least 0
   * @param length bytes, at least 1
   */
  public record Range(long offset, long length) {
    public Range {
      if (offset < 0 || length <= 0 || offset + length < 0) {
        throw new IllegalArgumentException(
            "invalid range: offset " + offset + ", length " + length);
      }
    }

    /** One past the last byte. */
    public long end() {
      return offset + length;
    }
  }

  public ReadRecord {
    Objects.requireNonNull(layer, "layer");
    ranges = List.copyOf(ranges);
  }

  /** The file's bytes: compact JSON as in the class comment. */
  public byte[] toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("version", VERSION);
    root.put("layer", layer.toString());
    ArrayNode rs = root.putArray("ranges");
    for (Range r : ranges) {
      rs.addArray().add(r.offset()).add(r.length());
    }
    try {
      return Json.MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Parses a recording; fails with a message naming the problem (not JSON, another version, a bad
   * digest, a range that is not two non-negative integers with a positive length).
   */
  public static ReadRecord parse(byte[] json) throws IOException {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IOException("recording is not valid JSON: " + Json.problem(e));
    }
    if (root == null || !root.isObject()) {
      throw new IOException("recording is not a JSON object");
    }
    JsonNode version = root.get("version");
    if (version == null || !version.isIntegralNumber() || version.asInt() != VERSION) {
      throw new IOException(
          "unsupported recording version: "
              + (version == null ? "none" : version)
              + " (expected "
              + VERSION
              + ")");
    }
    JsonNode layer = root.get("layer");
    if (layer == null || !layer.isTextual()) {
      throw new IOException("recording has no layer digest");
    }
    Digest digest;
    try {
      digest = Digest.parse(layer.asText());
    } catch (IllegalArgumentException e) {
      throw new IOException("recording: layer: " + e.getMessage());
    }
    JsonNode rs = root.get("ranges");
    if (rs == null || !rs.isArray()) {
      throw new IOException("recording: ranges is not an array");
    }
    List<Range> ranges = new ArrayList<>(rs.size());
    for (int i = 0; i < rs.size(); i++) {
      JsonNode r = rs.get(i);
      if (!r.isArray()
          || r.size() != 2
          || !r.get(0).canConvertToLong()
          || !r.get(1).canConvertToLong()
          || !r.get(0).isIntegralNumber()
          || !r.get(1).isIntegralNumber()) {
        throw new IOException("recording: ranges[" + i + "] is not [offset, length]: " + r);
      }
      try {
        ranges.add(new Range(r.get(0).asLong(), r.get(1).asLong()));
      } catch (IllegalArgumentException e) {
        throw new IOException("recording: ranges[" + i + "]: " + e.getMessage());
      }
    }
    return new ReadRecord(digest, ranges);
  }
}
