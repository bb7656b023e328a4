package dev.finch.soci.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.fs.TestTar;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.FileMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recording -> prefetch artifact: span order, priorities, determinism, other span sizes. */
class RecordPlannerTest {
  @TempDir Path dir;

  PrefetchPlanner.IndexedLayer layer(long spanSize) throws Exception {
    byte[] blob =
        Files.readAllBytes(
            new TestTar()
                .file("a", TestTar.bytes(40_000, 1))
                .file("b", TestTar.bytes(40_000, 2))
                .file("c", TestTar.bytes(40_000, 3))
                .write(dir.resolve("layer-" + spanSize + ".tar")));
    return PrefetchPlannerTest.layer(blob, Compression.UNCOMPRESSED, spanSize);
  }

  static ReadRecord.Range whole(FileMetadata m) {
    return new ReadRecord.Range(m.uncompressedOffset(), m.uncompressedSize());
  }

  @Test
  void spansKeepTheOrderOfFirstReadAsPriorities() throws Exception {
    PrefetchPlanner.IndexedLayer l = layer(4096);
    FileMetadata a = PrefetchPlannerTest.entry(l.ztoc(), "a");
    FileMetadata c = PrefetchPlannerTest.entry(l.ztoc(), "c");
    // c is read first, then a, then c again (already listed)
    ReadRecord rec = new ReadRecord(l.layer(), List.of(whole(c), whole(a), whole(c)));

    PrefetchArtifact art = RecordPlanner.plan(List.of(l), List.of(rec), Map.of()).get(l.layer());

    int[] cIds = PrefetchPlannerTest.expectedIdsHalfOpen(l.ztoc(), c);
    int[] aIds = PrefetchPlannerTest.expectedIdsHalfOpen(l.ztoc(), a);
    int[] inOrder = art.spanIdsInPriorityOrder(Integer.MAX_VALUE);
    assertThat(inOrder).startsWith(cIds);
    assertThat(java.util.Arrays.copyOfRange(inOrder, cIds.length, inOrder.length))
        .containsExactly(aIds);
    // two runs: c's spans (priority 0), then a's (1), listed by start span
    assertThat(art.spans())
        .containsExactly(
            new PrefetchArtifact.SpanRange(aIds[0], aIds[aIds.length - 1], 1),
            new PrefetchArtifact.SpanRange(cIds[0], cIds[cIds.length - 1], 0));
    assertThat(new String(art.toJson(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"version\":\"1.0\",\"prefetch_spans\":[{\"start_span\":"
                + aIds[0]
                + ",\"end_span\":"
                + aIds[aIds.length - 1]
                + ",\"priority\":1},{\"start_span\":"
                + cIds[0]
                + ",\"end_span\":"
                + cIds[cIds.length - 1]
                + "}]}");
  }

  @Test
  void theSameRecordingGivesTheSameBytesAndSurvivesAnotherSpanSize() throws Exception {
    PrefetchPlanner.IndexedLayer small = layer(4096);
    PrefetchPlanner.IndexedLayer large = layer(32768);
    assertThat(large.layer()).isEqualTo(small.layer());
    FileMetadata b = PrefetchPlannerTest.entry(small.ztoc(), "b");
    ReadRecord rec = new ReadRecord(small.layer(), List.of(whole(b)));

    byte[] once =
        RecordPlanner.plan(List.of(small), List.of(rec), Map.of()).get(small.layer()).toJson();
    byte[] again =
        RecordPlanner.plan(List.of(small), List.of(ReadRecord.parse(rec.toJson())), Map.of())
            .get(small.layer())
            .toJson();
    assertThat(again).isEqualTo(once);

    PrefetchArtifact onLarge =
        RecordPlanner.plan(List.of(large), List.of(rec), Map.of()).get(large.layer());
    assertThat(onLarge.spanIdsInPriorityOrder(Integer.MAX_VALUE))
        .containsExactly(PrefetchPlannerTest.expectedIdsHalfOpen(large.ztoc(), b));
  }

  @Test
  void pathSpansComeAfterRecordedOnesAndOtherLayersAreIgnored() throws Exception {
    PrefetchPlanner.IndexedLayer l = layer(4096);
    FileMetadata a = PrefetchPlannerTest.entry(l.ztoc(), "a");
    FileMetadata c = PrefetchPlannerTest.entry(l.ztoc(), "c");
    ReadRecord rec = new ReadRecord(l.layer(), List.of(whole(c)));
    ReadRecord elsewhere =
        new ReadRecord(Digest.sha256(new byte[] {1}), List.of(new ReadRecord.Range(0, 10)));
    Map<Digest, PrefetchArtifact> paths = PrefetchPlanner.plan(List.of(l), List.of("/a"));

    Map<Digest, PrefetchArtifact> plan =
        RecordPlanner.plan(List.of(l), List.of(elsewhere, rec), paths);

    assertThat(plan).containsOnlyKeys(l.layer());
    int[] order = plan.get(l.layer()).spanIdsInPriorityOrder(Integer.MAX_VALUE);
    int[] cIds = PrefetchPlannerTest.expectedIdsHalfOpen(l.ztoc(), c);
    assertThat(order).startsWith(cIds);
    assertThat(order).contains(PrefetchPlannerTest.expectedIds(l.ztoc(), a));
  }

  @Test
  void rangesPastTheLastSpanAreClipped() throws Exception {
    PrefetchPlanner.IndexedLayer l = layer(4096);
    int max = l.ztoc().compressionInfo().maxSpanId();
    ReadRecord rec =
        new ReadRecord(
            l.layer(),
            List.of(new ReadRecord.Range(l.ztoc().uncompressedArchiveSize() + 1_000_000, 10)));
    assertThat(
            RecordPlanner.plan(List.of(l), List.of(rec), Map.of())
                .get(l.layer())
                .spanIdsInPriorityOrder(Integer.MAX_VALUE))
        .containsExactly(max);
  }

  @Test
  void recordingFilesRoundTripAndBadOnesAreNamed() throws Exception {
    Digest d = Digest.sha256(new byte[] {7});
    ReadRecord r =
        new ReadRecord(d, List.of(new ReadRecord.Range(8192, 4096), new ReadRecord.Range(0, 512)));
    assertThat(new String(r.toJson(), StandardCharsets.UTF_8))
        .isEqualTo("{\"version\":1,\"layer\":\"" + d + "\",\"ranges\":[[8192,4096],[0,512]]}");
    assertThat(ReadRecord.parse(r.toJson())).isEqualTo(r);
    assertThatThrownBy(() -> ReadRecord.parse("{\"version\":2}".getBytes()))
        .hasMessageContaining("unsupported recording version: 2");
    assertThatThrownBy(
            () ->
                ReadRecord.parse(
                    ("{\"version\":1,\"layer\":\"" + d + "\",\"ranges\":[[5,0]]}").getBytes()))
        .hasMessageContaining("ranges[0]");
    assertThatThrownBy(() -> ReadRecord.parse("[".getBytes()))
        .hasMessageContaining("not valid JSON");
  }
}
