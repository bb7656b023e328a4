package dev.finch.soci.rpull;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChainIdsAndLabelsTest {
  private static Digest d(char c) {
    return Digest.parse("sha256:" + String.valueOf(c).repeat(64));
  }

  @Test
  void chainIdsFollowTheImageSpec() {
    // Expected values computed independently: sha256("<chain> <diffid>") in hex.
    assertThat(ChainIds.of(List.of(d('a'), d('b'), d('c'))))
        .containsExactly(
            d('a'),
            Digest.parse("sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c"),
            Digest.parse(
                "sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588"));
    assertThat(ChainIds.of(List.of())).isEmpty();
  }

  @Test
  void layerLabelsNameImageManifestLayerAndTheRemainingLayers() {
    List<Descriptor> layers =
        List.of(
            Descriptor.of(MediaTypes.OCI_LAYER_GZIP, d('1'), 10),
            Descriptor.of(MediaTypes.OCI_LAYER_GZIP, d('2'), 20),
            Descriptor.of(MediaTypes.OCI_LAYER_GZIP, d('3'), 30));
    Map<String, String> l = LayerLabels.forLayer(d('c'), "r.io/a/b:t", d('e'), layers, 1, d('f'));
    assertThat(l)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "containerd.io/snapshot.ref", d('c').toString(),
                "containerd.io/snapshot/cri.image-ref", "r.io/a/b:t",
                "containerd.io/snapshot/cri.manifest-digest", d('e').toString(),
                "containerd.io/snapshot/cri.layer-digest", d('2').toString(),
                "containerd.io/snapshot/cri.image-layers", d('2') + "," + d('3'),
                "containerd.io/snapshot/remote/soci.index.digest", d('f').toString()));
    assertThat(LayerLabels.forLayer(d('c'), "r", d('e'), layers, 2, null))
        .doesNotContainKey(LayerLabels.SOCI_INDEX_DIGEST)
        .containsEntry(LayerLabels.IMAGE_LAYERS, d('3').toString());
  }

  @Test
  void imageLayersStopsBeforeTheLabelSizeLimit() {
    List<Descriptor> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(new byte[] {(byte) i}), 1));
    }
    String v = LayerLabels.imageLayers(many);
    assertThat(LayerLabels.IMAGE_LAYERS.length() + v.length()).isLessThanOrEqualTo(4096);
    // 71 chars per digest: 55 fit next to the 39-char key, with 54 commas.
    int count = v.split(",").length;
    assertThat(LayerLabels.IMAGE_LAYERS.length() + v.length() + 72).isGreaterThan(4096);
    assertThat(v).startsWith(many.getFirst().digest().toString());
    assertThat(count).isEqualTo((4096 - LayerLabels.IMAGE_LAYERS.length() + 1) / 72);
  }

  @Test
  void uniquePartLooksLikeContainerds() {
    assertThat(RemotePull.uniquePart()).matches("[0-9]+-[A-Za-z0-9_-]{4}");
  }
}
