package dev.finch.soci.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.fs.TestTar;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import dev.finch.soci.store.ArtifactsDb;
import dev.finch.soci.store.LocalContentStore;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocCodec;
import dev.finch.soci.ztoc.ZtocSkeleton;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Index creation with {@code --lazy-ztoc} and {@code --file-checkpoints}, on gzip layers. */
class IndexCreatorLazyZtocTest {
  static final long SPAN = 1 << 20;
  @TempDir Path dir;
  final Map<Digest, byte[]> blobs = new HashMap<>();
  LocalContentStore store;
  ArtifactsDb db;
  Descriptor first;
  Descriptor second;
  Manifest image;
  Descriptor imageDesc;

  @BeforeEach
  void layers() throws Exception {
    store = new LocalContentStore(dir.resolve("content"));
    db = new ArtifactsDb(dir.resolve("root"));
    // a big file, then a small one: the shape --file-checkpoints is for
    first =
        layer(
            "first",
            new TestTar()
                .file("big.bin", TestTar.bytes(700_000, 1))
                .file("ready", TestTar.bytes(9, 2)));
    second = layer("second", new TestTar().file("data", TestTar.bytes(2_500_000, 3)));
    Descriptor config = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(new byte[] {1}), 1);
    image =
        new Manifest(2, MediaTypes.OCI_MANIFEST, null, config, List.of(first, second), null, null);
    imageDesc = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256("image".getBytes()), 500);
  }

  Descriptor layer(String name, TestTar t) throws Exception {
    byte[] tar = Files.readAllBytes(t.write(dir.resolve(name + ".tar")));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar);
    }
    byte[] b = gz.toByteArray();
    Digest d = Digest.sha256(b);
    blobs.put(d, b);
    return Descriptor.of(MediaTypes.OCI_LAYER_GZIP, d, b.length);
  }

  IndexCreator.Result create(IndexOptions opts, List<LayerOutcome> seen) throws Exception {
    IndexCreator c =
        new IndexCreator(
            store,
            db,
            ZtocMakers.standard(),
            l -> new ByteArrayInputStream(blobs.get(l.digest())),
            "soci");
    return c.create(
        imageDesc,
        image,
        Platform.parse("linux/amd64"),
        SociIndex.Version.V1,
        opts,
        "img:1",
        seen::add);
  }

  static IndexOptions plain() {
    return new IndexOptions(SPAN, 0, false, false);
  }

  static LayerOutcome.Indexed outcome(List<LayerOutcome> seen, Descriptor layer) {
    return seen.stream()
        .filter(o -> o instanceof LayerOutcome.Indexed ix && ix.layer().equals(layer))
        .map(o -> (LayerOutcome.Indexed) o)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void skeletonsPrecedeTheZtocsAndDescribeThem() throws Exception {
    SociIndex index = create(plain().withLazyZtoc(true), new ArrayList<>()).index().orElseThrow();
    // the first layer is one span: its only window is the empty one at the stream's start, so it
    // has nothing to leave out and no skeleton
    assertThat(index.manifest().layers())
        .extracting(Descriptor::mediaType)
        .containsExactly(ZtocSkeleton.MEDIA_TYPE, MediaTypes.SOCI_ZTOC, MediaTypes.SOCI_ZTOC);
    assertThat(index.skeletonFor(first.digest())).isNull();
    Descriptor sk = index.skeletonFor(second.digest());
    Descriptor z = index.ztocFor(second.digest());
    byte[] bytes = store.readAll(sk.digest());
    assertThat(Digest.sha256(bytes)).isEqualTo(sk.digest());
    ZtocSkeleton parsed = ZtocSkeleton.parse(bytes, z.size());
    assertThat(parsed.ztoc()).isEqualTo(z.digest());
    assertThat(parsed.ztocSize()).isEqualTo(z.size());
    assertThat(parsed.holes()).hasSize(2);
    assertThat(bytes.length).isLessThan((int) z.size() / 10);
    SociIndex without = create(plain(), new ArrayList<>()).index().orElseThrow();
    assertThat(without.manifest().layers())
        .extracting(Descriptor::mediaType)
        .containsOnly(MediaTypes.SOCI_ZTOC);
    assertThat(without.ztocFor(first.digest())).isEqualTo(index.ztocFor(first.digest()));
  }

  @Test
  void aZtocWithFileCheckpointsIsNeverReusedForOneWithoutOrTheOtherWayRound() throws Exception {
    List<LayerOutcome> seen = new ArrayList<>();
    create(plain(), seen);
    Digest plainZtoc = outcome(seen, first).ztoc().digest();

    seen.clear();
    create(plain().withFileCheckpoints(true), seen);
    LayerOutcome.Indexed withFc = outcome(seen, first);
    assertThat(withFc.reused()).as("built again, with file checkpoints").isFalse();
    assertThat(withFc.ztoc().digest()).isNotEqualTo(plainZtoc);
    Ztoc z = ZtocCodec.decode(store.readAll(withFc.ztoc().digest()));
    assertThat(z.buildToolIdentifier()).isEqualTo(Ztoc.BUILD_TOOL_IDENTIFIER_FILE_CHECKPOINTS);
    assertThat(z.compressionInfo().maxSpanId())
        .as("a checkpoint before the small file")
        .isEqualTo(ZtocCodec.decode(store.readAll(plainZtoc)).compressionInfo().maxSpanId() + 1);

    seen.clear();
    create(plain().withFileCheckpoints(true), seen);
    assertThat(outcome(seen, first).reused()).isTrue();
    assertThat(outcome(seen, first).ztoc().digest()).isEqualTo(withFc.ztoc().digest());

    seen.clear();
    create(plain(), seen);
    assertThat(outcome(seen, first).reused()).isTrue();
    assertThat(outcome(seen, first).ztoc().digest())
        .as("the plain zTOC, byte-compatible with the reference's")
        .isEqualTo(plainZtoc);
  }
}
