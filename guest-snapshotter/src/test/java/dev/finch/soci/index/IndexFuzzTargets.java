package dev.finch.soci.index;

import static dev.finch.testkit.fuzz.FuzzInputs.read;
import static dev.finch.testkit.fuzz.FuzzInputs.use;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.testkit.fuzz.FuzzTarget;
import dev.finch.testkit.fuzz.RandomText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzz targets for the SOCI artifacts a registry serves: the index manifest (v1 and v2 config
 * types), read as the snapshotter reads it, and the prefetch artifact.
 */
public final class IndexFuzzTargets {
  private static final Path REFERENCE = Path.of("src/test/resources/reference041");
  private static final Path JSON = Path.of("src/test/resources/json");
  private static final Digest LAYER =
      Digest.parse("sha256:" + "ab".repeat(32)); // one the seeds do not name

  private IndexFuzzTargets() {}

  public static List<FuzzTarget> all() {
    return List.of(sociIndex(), prefetch(), readRecord());
  }

  static FuzzTarget sociIndex() {
    List<String> keys =
        List.of(
            "schemaVersion",
            "mediaType",
            "config",
            "layers",
            "subject",
            "annotations",
            "digest",
            "size",
            MediaTypes.ANN_IMAGE_LAYER_DIGEST,
            MediaTypes.ANN_BUILD_TOOL,
            "com.amazon.soci.span-size");
    List<String> strings =
        List.of(
            MediaTypes.SOCI_INDEX_V1,
            MediaTypes.SOCI_INDEX_V2,
            MediaTypes.SOCI_ZTOC,
            MediaTypes.SOCI_PREFETCH,
            MediaTypes.OCI_MANIFEST,
            LAYER.toString());
    return FuzzTarget.builder(
            "soci-index",
            in -> {
              SociIndex index = SociIndex.parse(in);
              use(index.version(), index.descriptor());
              // what the lazy preparer reads: the zTOC and prefetch descriptors of each layer
              for (Descriptor d : index.ztocs()) {
                String layer = d.annotation(MediaTypes.ANN_IMAGE_LAYER_DIGEST);
                if (layer != null && Digest.isDigest(layer)) {
                  use(index.ztocFor(Digest.parse(layer)), index.prefetchFor(Digest.parse(layer)));
                }
              }
              use(index.ztocFor(LAYER), index.prefetchFor(LAYER), index.prefetches().size());
            })
        .seed(read(REFERENCE.resolve("soci-index-span1m.json")))
        .seed(read(REFERENCE.resolve("soci-index-span64k.json")))
        .seed(read(REFERENCE.resolve("soci-index-span1m-min1000.json")))
        .seed(v2Index())
        .typed(IOException.class)
        .generator(r -> RandomText.jsonObject(r, keys, strings, 4).getBytes(StandardCharsets.UTF_8))
        .dictionary(
            "\"config\"", "\"layers\"", "\"mediaType\"", "\"digest\"", "null", "[]", "{}", "\"")
        .maxInputSize(64 << 10)
        .build();
  }

  /** A v2 index (what {@code soci convert} writes) with a zTOC and a prefetch artifact. */
  private static byte[] v2Index() {
    Descriptor ztoc =
        Descriptor.of(MediaTypes.SOCI_ZTOC, Digest.sha256(new byte[] {1}), 1)
            .withAnnotations(java.util.Map.of(MediaTypes.ANN_IMAGE_LAYER_DIGEST, LAYER.toString()));
    Descriptor prefetch =
        Descriptor.of(PrefetchArtifact.MEDIA_TYPE, Digest.sha256(new byte[] {2}), 1)
            .withAnnotations(java.util.Map.of(MediaTypes.ANN_IMAGE_LAYER_DIGEST, LAYER.toString()));
    return SociIndex.build(
            SociIndex.Version.V2, List.of(ztoc, prefetch), null, SociIndex.BUILD_TOOL)
        .bytes();
  }

  static FuzzTarget prefetch() {
    return FuzzTarget.builder(
            "prefetch",
            in -> {
              PrefetchArtifact a = PrefetchArtifact.parse(in);
              // the snapshotter asks for the ids within the layer's spans
              int[] ids = a.spanIds(4096);
              for (int i = 1; i < ids.length; i++) {
                if (ids[i] <= ids[i - 1]) {
                  throw new AssertionError("span ids not ascending at " + i);
                }
              }
              // what the daemon replays: each id once, none past the layer's last span
              int[] order = a.spanIdsInPriorityOrder(4096);
              java.util.BitSet seen = new java.util.BitSet();
              for (int id : order) {
                if (id < 0 || id > 4096 || seen.get(id)) {
                  throw new AssertionError("replay order names span " + id + " twice or outside");
                }
                seen.set(id);
              }
              if (order.length != ids.length) {
                throw new AssertionError(
                    order.length + " ids to replay, " + ids.length + " listed");
              }
              use(a.toJson());
            })
        .seed(read(JSON.resolve("prefetch-artifact.json")))
        .seed(
            "{\"version\":\"1.0\",\"prefetch_spans\":[{\"start_span\":0,\"end_span\":2147483647}]}")
        .typed(IOException.class)
        .generator(
            r ->
                ("{\"version\":\"1.0\",\"prefetch_spans\":"
                        + RandomText.jsonArray(
                            r, List.of("start_span", "end_span", "priority"), List.of(), 2)
                        + "}")
                    .getBytes(StandardCharsets.UTF_8))
        .dictionary("\"start_span\"", "\"end_span\"", "\"priority\"", "\"version\"", "\"1.0\"")
        .maxInputSize(16 << 10)
        .build();
  }

  /** The recordings {@code soci create --record} reads (written by the daemon, or by hand). */
  static FuzzTarget readRecord() {
    return FuzzTarget.builder(
            "read-record",
            in -> {
              ReadRecord r = ReadRecord.parse(in);
              if (!ReadRecord.parse(r.toJson()).equals(r)) {
                throw new AssertionError("a recording does not survive its own JSON");
              }
            })
        .seed(
            new ReadRecord(
                    LAYER, List.of(new ReadRecord.Range(4096, 8192), new ReadRecord.Range(0, 100)))
                .toJson())
        .typed(IOException.class)
        .generator(
            r ->
                ("{\"version\":1,\"layer\":\""
                        + LAYER
                        + "\",\"ranges\":"
                        + RandomText.jsonArray(r, List.of(), List.of(), 2)
                        + "}")
                    .getBytes(StandardCharsets.UTF_8))
        .dictionary("\"version\"", "\"layer\"", "\"ranges\"", "[0,1]", "[", "]")
        .maxInputSize(16 << 10)
        .build();
  }
}
