package dev.finch.soci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.index.SociIndex;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.testing.SociRuns;
import dev.finch.soci.testing.SociRuns.Run;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.OciLayer;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code soci create} of a many-layer image through a real containerd builds the zTOCs of several
 * layers at once; what the user and the registry see must not show it: the {@code layer -> ztoc}
 * lines come in the manifest's layer order, the index lists the zTOCs in that order, a rebuild
 * ({@code --force}) gives the same index, and {@code soci push} sends every artifact once.
 */
class ConcurrentCreateIT {
  static final int DATA_LAYERS = 6;

  /** Above busybox's layer (about 1 MB), below every data layer. */
  static final long MIN_LAYER = 1_150_000;

  static final Pattern LAYER_LINE =
      Pattern.compile("layer (sha256:[0-9a-f]{64}) -> ztoc (sha256:[0-9a-f]{64})");
  static RegistryFixture registry;
  static ContainerdFixture containerd;
  static OciImage image;
  static String ref;
  @TempDir static Path work;

  static Run soci(String... args) {
    return SociRuns.soci(containerd.socket(), work.resolve("soci-root"), args);
  }

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    registry = RegistryFixture.builder().build().start();
    containerd = ContainerdFixture.builder().build().start();
    TarLayer[] data = new TarLayer[DATA_LAYERS];
    for (int i = 0; i < DATA_LAYERS; i++) {
      // different sizes, so builds end out of layer order
      data[i] =
          TarLayer.builder()
              .randomFile("data/l" + i + ".bin", (6 - i) * 700_000L + 1_200_000, 40 + i)
              .file("data/l" + i + ".txt", "layer " + i + "\n")
              .build();
    }
    image = TestImages.busybox(work.resolve("layout"), "concurrent", "v1", data);
    TestImages.push(image, registry.hostPort(), "concurrent", "v1");
    ref = registry.hostPort() + "/concurrent:v1";
    containerd.ctr("images", "pull", "--plain-http", ref).check();
  }

  @AfterAll
  static void stop() {
    if (containerd != null) {
      containerd.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  static SociIndex index(String digest) throws Exception {
    return SociIndex.parse(
        containerd.ctr("content", "get", digest).check().stdout().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void outputAndIndexFollowLayerOrderAndARebuildGivesTheSameIndex() throws Exception {
    List<String> dataLayers =
        image.single().layers().stream()
            .map(OciLayer::blob)
            .filter(b -> b.size() >= MIN_LAYER)
            .map(b -> b.digest())
            .toList();
    assertThat(dataLayers).hasSize(DATA_LAYERS);

    Run c =
        soci("create", "--span-size", "262144", "--min-layer-size", Long.toString(MIN_LAYER), ref);
    assertThat(c.rc()).as(c.err()).isZero();
    Matcher m = LAYER_LINE.matcher(c.out());
    List<String> reported = m.results().map(r -> r.group(1)).toList();
    assertThat(reported).containsExactlyElementsOf(dataLayers);

    String first = soci("index", "list", "-q").out().strip();
    SociIndex idx = index(first);
    assertThat(idx.manifest().layers())
        .extracting(d -> d.annotation(MediaTypes.ANN_IMAGE_LAYER_DIGEST))
        .containsExactlyElementsOf(dataLayers);

    Run again =
        soci(
            "create",
            "--force",
            "--span-size",
            "262144",
            "--min-layer-size",
            Long.toString(MIN_LAYER),
            ref);
    assertThat(again.rc()).as(again.err()).isZero();
    assertThat(soci("index", "list", "-q").out().strip().lines().distinct())
        .as("the rebuilt index is byte-identical")
        .containsExactly(first);

    Run push = soci("push", "--plain-http", ref);
    assertThat(push.rc()).as(push.err()).isZero();
    List<Digest> artifacts =
        Pattern.compile("successfully pushed artifact with digest: (sha256:[0-9a-f]{64})")
            .matcher(push.out())
            .results()
            .map(r -> Digest.parse(r.group(1)))
            .toList();
    // every zTOC, the {} config and the index manifest, each once
    assertThat(artifacts).doesNotHaveDuplicates().hasSize(DATA_LAYERS + 2);
    try (RegistryClient rc = RegistryClient.builder(registry.hostPort()).plainHttp(true).build()) {
      Descriptor manifest = rc.resolve(ImageRef.parse(ref));
      assertThat(rc.referrers("concurrent", manifest.digest(), MediaTypes.SOCI_INDEX_V1))
          .extracting(Descriptor::digest)
          .containsExactly(Digest.parse(first));
    }
    Run repeat = soci("push", "--plain-http", "--existing-index", "allow", ref);
    assertThat(repeat.rc()).as(repeat.err()).isZero();
    assertThat(repeat.out())
        .as("blobs the registry has are skipped (HEAD)")
        .contains("skipped artifact with digest: " + idx.manifest().layers().getFirst().digest());
  }
}
