package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finch.soci.index.PrefetchArtifact;
import dev.finch.soci.index.ReadRecord;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.lazy.LazyPreparerFactory;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocCodec;
import dev.finch.soci.ztoc.compression.Zinfo;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.FaultProxy;
import dev.finch.testkit.FaultProxy.Fault;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workload-aware prefetch end to end, with a real registry, containerd and our daemon, on two
 * "machines" (two daemon roots, two containerds): on the first, a lazily pulled image runs a start
 * that reads two files and the daemon records it; {@code soci create --record} on that recording
 * and {@code soci push} publish prefetch artifacts next to the index, without changing the image's
 * digest; on the second, a cold pull fetches exactly the recorded spans in the background (the
 * mount does not wait) and the same start then reads the right bytes without a registry fetch.
 */
class RecordReplayIT {
  static final int FILES = 40;
  static final int FILE_SIZE = 1 << 20;
  static final int SPAN = 262144;
  static final int[] READ = {31, 7};

  @TempDir static Path tmp;
  static RegistryFixture registry;
  static OciImage image;
  static String ref;
  static DaemonHarness recorder;
  static DaemonHarness replayer;
  static ContainerdFixture first;
  static ContainerdFixture second;
  static FaultProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    TarLayer.Builder data = TarLayer.builder().dir("data");
    for (int i = 0; i < FILES; i++) {
      data.randomFile(String.format("data/file%02d.bin", i), FILE_SIZE, 300 + i);
    }
    image = TestImages.busybox(tmp.resolve("layout"), "record", "v1", data.build());
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/record", "v1");
    ref = registry.hostPort() + "/it/record:v1";
    recorder = new DaemonHarness();
    recorder.start(new LazyPreparerFactory());
    first = ContainerdFixture.builder().proxySnapshotter("soci", recorder.socket).build().start();
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(second, replayer, first, recorder, proxy, registry);
  }

  static String start(ContainerdFixture containerd, String ref, String name) {
    StringBuilder sums = new StringBuilder();
    for (int f : READ) {
      ContainerdProcess.Result run =
          containerd.runOnSoci(
              ref, name + f + "-", "sha256sum", String.format("/data/file%02d.bin", f));
      assertThat(run.ok()).as("run: %s\n%s", run.output(), containerd.logTail()).isTrue();
      sums.append(run.stdout());
    }
    return sums.toString();
  }

  static String sha256Of(int f) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(TarLayer.randomBytes(300 + f, FILE_SIZE)));
  }

  static JsonNode awaitEvent(DaemonHarness d, String event, Duration limit) throws Exception {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      for (String line : d.logText().lines().toList()) {
        if (line.contains("\"event\":\"" + event + "\"")) {
          return Json.MAPPER.readTree(line);
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no " + event + " event within " + limit + ":\n" + d.logText());
  }

  @Test
  void aRecordedStartIsPrefetchedExactlyOnAColdDaemonAndTheImageIsUnchanged() throws Exception {
    String layerDigest = image.single().layers().get(1).blob().digest();
    Digest layer = Digest.parse(layerDigest);
    Digest manifest = Digest.parse(image.single().manifest().digest());
    RegistryClient client = RegistryClient.builder(registry.hostPort()).plainHttp(true).build();
    Digest tagged = client.resolve(ImageRef.parse(ref)).digest();

    // machine 1: an index without prefetch, a lazy pull, a start that reads two files
    SociRuns.publishIndex(
        first,
        tmp.resolve("cli-build"),
        ref,
        "--span-size",
        Integer.toString(SPAN),
        "--min-layer-size",
        "2000000");
    Run pull = SociRuns.rpull(first, tmp.resolve("cli-1"), ref);
    assertThat(pull.rc()).as("%s\n%s", pull.out(), pull.err()).isZero();
    String sums = start(first, ref, "rec");
    for (int f : READ) {
      assertThat(sums).contains(sha256Of(f));
    }
    Path recDir = recorder.root.resolve("soci/record");
    Path recFile = recDir.resolve(layer.hex() + ".json");
    // the daemon writes a recording within FLUSH_PERIOD of its last change
    Thread.sleep(2 * dev.finch.soci.lazy.mount.Recordings.FLUSH_PERIOD.toMillis());
    ReadRecord rec = ReadRecord.parse(Files.readAllBytes(recFile));
    long recorded = rec.ranges().stream().mapToLong(ReadRecord.Range::length).sum();
    assertThat(recorded)
        .as("both files, and little else (readahead)")
        .isBetween(2L * FILE_SIZE, 3L * FILE_SIZE);

    // publish: soci create --record on the build side, then soci push
    Run created =
        SociRuns.soci(
            first.socket(),
            tmp.resolve("cli-build"),
            "--namespace",
            "build",
            "create",
            "--span-size",
            Integer.toString(SPAN),
            "--min-layer-size",
            "2000000",
            "--record",
            recDir.toString(),
            ref);
    assertThat(created.rc()).as(created.err()).isZero();
    assertThat(created.out()).contains("Created prefetch artifact for layer " + layerDigest);
    Run pushed =
        SociRuns.soci(
            first.socket(),
            tmp.resolve("cli-build"),
            "--namespace",
            "build",
            "push",
            "--plain-http",
            ref);
    assertThat(pushed.rc()).as(pushed.err()).isZero();
    assertThat(client.resolve(ImageRef.parse(ref)).digest())
        .as("recording and publishing leave the image alone")
        .isEqualTo(tagged);
    assertThat(client.fetchManifest(ImageRef.parse(ref)).bytes())
        .isEqualTo(client.fetchManifest("it/record", tagged).bytes());

    // what the registry now holds for the layer: the recorded spans, in time order
    List<Descriptor> indexes = client.referrers("it/record", manifest, MediaTypes.SOCI_INDEX_V1);
    SociIndex index =
        SociIndex.parse(client.fetchManifest("it/record", indexes.getLast().digest()).bytes());
    Descriptor artifactDesc = index.prefetchFor(layer);
    assertThat(artifactDesc).as("prefetch artifact in %s", index).isNotNull();
    java.io.ByteArrayOutputStream blob = new java.io.ByteArrayOutputStream();
    client.fetchBlob("it/record", artifactDesc.digest(), blob);
    PrefetchArtifact artifact = PrefetchArtifact.parse(blob.toByteArray());
    java.io.ByteArrayOutputStream ztocBytes = new java.io.ByteArrayOutputStream();
    client.fetchBlob("it/record", index.ztocFor(layer).digest(), ztocBytes);
    Ztoc ztoc = ZtocCodec.decode(ztocBytes.toByteArray());
    Zinfo z = ztoc.compressionInfo().zinfo();
    Set<Integer> expected = new LinkedHashSet<>();
    for (ReadRecord.Range r : rec.ranges()) {
      for (int s = z.spanIdForUncompressedOffset(r.offset());
          s <= z.spanIdForUncompressedOffset(r.end() - 1);
          s++) {
        expected.add(s);
      }
    }
    int[] order = artifact.spanIdsInPriorityOrder(ztoc.compressionInfo().maxSpanId());
    assertThat(order).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
    long expectedBytes = 0;
    for (int s : order) {
      expectedBytes +=
          z.endCompressedOffset(s, ztoc.compressedArchiveSize()) - z.startCompressedOffset(s);
    }

    // machine 2: a fresh daemon root and containerd, reaching the registry through a proxy that
    // holds every read of the layer's bytes until the mount is done: the mount must not need them
    proxy = FaultProxy.inFrontOf(registry);
    String viaProxy = proxy.hostPort() + "/it/record:v1";
    FaultProxy.Rule held =
        proxy
            .on("GET", Pattern.quote("/v2/it/record/blobs/" + layerDigest))
            .fault(Fault.stallUntilCleared(0));
    replayer = new DaemonHarness();
    replayer.start(new LazyPreparerFactory());
    second = ContainerdFixture.builder().proxySnapshotter("soci", replayer.socket).build().start();
    long before = registry.blobBytesServed(layer.hex());
    Run pull2 = SociRuns.rpull(second, tmp.resolve("cli-2"), viaProxy);
    assertThat(pull2.rc()).as("%s\n%s", pull2.out(), pull2.err()).isZero();
    awaitEvent(replayer, "remote-snapshot-prepared", Duration.ofSeconds(5));
    long holdUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (held.hits() == 0 && System.nanoTime() < holdUntil) {
      Thread.sleep(20);
    }
    assertThat(held.hits()).as("the prefetch is under way, held by the proxy").isPositive();
    assertThat(replayer.logText())
        .as("the mount is done while its prefetch is still held")
        .doesNotContain("\"event\":\"prefetch-done\"");
    held.remove();
    JsonNode done = awaitEvent(replayer, "prefetch-done", Duration.ofSeconds(60));
    assertThat(done.get("layer").asText()).isEqualTo(layerDigest);
    assertThat(done.get("spans").asInt()).isEqualTo(order.length);
    assertThat(done.get("fetched_spans").asInt()).isEqualTo(order.length);
    assertThat(done.get("failed_spans").asInt()).isZero();
    long prefetched = registry.blobBytesServed(layer.hex()) - before;
    // adjacent gzip spans can share a byte, which a run of them fetches once
    assertThat(prefetched)
        .as("the registry served the recorded spans and nothing else of the layer")
        .isBetween(expectedBytes - order.length, expectedBytes);

    String sums2 = start(second, viaProxy, "replay");
    for (int f : READ) {
      assertThat(sums2).contains(sha256Of(f));
    }
    assertThat(registry.blobBytesServed(layer.hex()) - before)
        .as("the replayed start needed no span the recording missed")
        .isEqualTo(prefetched);
  }
}
