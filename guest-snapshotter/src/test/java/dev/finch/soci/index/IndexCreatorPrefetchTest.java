package dev.finch.soci.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.fs.TestTar;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import dev.finch.soci.store.ArtifactEntry;
import dev.finch.soci.store.ArtifactType;
import dev.finch.soci.store.ArtifactsDb;
import dev.finch.soci.store.LocalContentStore;
import dev.finch.soci.ztoc.ZtocBuilder;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index creation with {@code --prefetch-file}, on a local content store and layers built in code.
 */
class IndexCreatorPrefetchTest {
  static final long MIN = 30_000;
  @TempDir Path dir;
  final Map<Digest, byte[]> blobs = new HashMap<>();
  LocalContentStore store;
  ArtifactsDb db;
  Descriptor base;
  Descriptor small;
  Descriptor top;
  Manifest image;
  Descriptor imageDesc;

  @BeforeEach
  void layers() throws Exception {
    store = new LocalContentStore(dir.resolve("content"));
    db = new ArtifactsDb(dir.resolve("root"));
    base =
        layer(
            "base",
            new TestTar()
                .file("usr/bin/app", TestTar.bytes(40_000, 1))
                .file("etc/conf", TestTar.bytes(300, 2)));
    small = layer("small", new TestTar().file("only/in/small", TestTar.bytes(100, 3)));
    top =
        layer(
            "top",
            new TestTar()
                .file("pad", TestTar.bytes(35_000, 4))
                .file("usr/bin/app", TestTar.bytes(9000, 5)));
    assertThat(small.size()).isLessThan(MIN);
    assertThat(base.size()).isGreaterThan(MIN);
    Descriptor config = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(new byte[] {1}), 1);
    image =
        new Manifest(
            2, MediaTypes.OCI_MANIFEST, null, config, List.of(base, small, top), null, null);
    imageDesc = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256("image".getBytes()), 500);
  }

  Descriptor layer(String name, TestTar t) throws Exception {
    byte[] b = Files.readAllBytes(t.write(dir.resolve(name + ".tar")));
    Digest d = Digest.sha256(b);
    blobs.put(d, b);
    return Descriptor.of(MediaTypes.OCI_LAYER_TAR, d, b.length);
  }

  IndexCreator.Result create(List<String> paths, List<LayerOutcome> seen) throws Exception {
    ZtocMaker maker =
        (layer, compression, in, spanSize) ->
            new ZtocMaker.Made(
                new ZtocBuilder(spanSize).build(in, compression, layer.digest()).encoded(), false);
    IndexCreator c =
        new IndexCreator(
            store, db, maker, l -> new ByteArrayInputStream(blobs.get(l.digest())), "soci");
    IndexOptions opts = new IndexOptions(4096, MIN, false, false).withPrefetchPaths(paths);
    return c.create(
        imageDesc,
        image,
        Platform.parse("linux/amd64"),
        SociIndex.Version.V1,
        opts,
        "img:1",
        seen::add);
  }

  @Test
  void prefetchArtifactsPrecedeTheZtocsInLayerOrderAndAreStoredAndRecorded() throws Exception {
    List<LayerOutcome> seen = new ArrayList<>();
    SociIndex index = create(List.of("/usr/bin/app", "/etc/conf"), seen).index().orElseThrow();

    List<Descriptor> layers = index.manifest().layers();
    assertThat(layers)
        .extracting(Descriptor::mediaType)
        .as("the reference 0.4.1 takes the last descriptor of a layer for its zTOC")
        .containsExactly(
            PrefetchArtifact.MEDIA_TYPE,
            PrefetchArtifact.MEDIA_TYPE,
            MediaTypes.SOCI_ZTOC,
            MediaTypes.SOCI_ZTOC);
    assertThat(index.prefetches())
        .extracting(d -> d.annotation(MediaTypes.ANN_IMAGE_LAYER_DIGEST))
        .containsExactly(base.digest().toString(), top.digest().toString());
    for (Descriptor p : index.prefetches()) {
      assertThat(p.annotations()).containsOnlyKeys(MediaTypes.ANN_IMAGE_LAYER_DIGEST);
      byte[] blob = store.readAll(p.digest());
      assertThat(Digest.sha256(blob)).isEqualTo(p.digest());
      assertThat(blob).hasSize((int) p.size());
      PrefetchArtifact.parse(blob);
    }
    // base: only etc/conf (its app is replaced by top's); top: its app
    PrefetchArtifact baseArt =
        PrefetchArtifact.parse(store.readAll(index.prefetchFor(base.digest()).digest()));
    PrefetchArtifact topArt =
        PrefetchArtifact.parse(store.readAll(index.prefetchFor(top.digest()).digest()));
    assertThat(baseArt.spanIds()).hasSize(1);
    assertThat(baseArt.spanIds()[0]).isGreaterThanOrEqualTo(9);
    assertThat(topArt.spanIds())
        .hasSizeGreaterThanOrEqualTo(3)
        .doesNotContain(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(index.prefetchFor(small.digest())).isNull();

    List<ArtifactEntry> recorded = db.find(e -> e.type() == ArtifactType.SOCI_PREFETCH);
    assertThat(recorded)
        .extracting(ArtifactEntry::originalDigest)
        .containsExactlyInAnyOrder(base.digest(), top.digest());
    assertThat(recorded)
        .allSatisfy(e -> assertThat(e.mediaType()).isEqualTo(PrefetchArtifact.MEDIA_TYPE));
    assertThat(recorded)
        .extracting(ArtifactEntry::digest)
        .containsExactlyInAnyOrderElementsOf(
            index.prefetches().stream().map(Descriptor::digest).toList());
    assertThat(seen)
        .filteredOn(o -> o instanceof LayerOutcome.Prefetched)
        .extracting(LayerOutcome::message)
        .containsExactly(
            "Created prefetch artifact for layer "
                + base.digest()
                + ": "
                + index.prefetchFor(base.digest()).digest(),
            "Created prefetch artifact for layer "
                + top.digest()
                + ": "
                + index.prefetchFor(top.digest()).digest());
  }

  @Test
  void reusedZtocsGiveTheSameIndex() throws Exception {
    SociIndex first = create(List.of("/usr/bin/app"), new ArrayList<>()).index().orElseThrow();
    List<LayerOutcome> seen = new ArrayList<>();
    SociIndex second = create(List.of("/usr/bin/app"), seen).index().orElseThrow();
    assertThat(seen)
        .filteredOn(o -> o instanceof LayerOutcome.Indexed ix && ix.reused())
        .hasSize(2);
    assertThat(second.digest()).isEqualTo(first.digest());
    assertThat(second.prefetches()).hasSize(1);
  }

  @Test
  void aPathOnlyInALayerWithoutZtocFailsBeforeTheIndexIsRecorded() throws Exception {
    assertThatThrownBy(() -> create(List.of("/only/in/small"), new ArrayList<>()))
        .isInstanceOfSatisfying(
            PrefetchPathNotFoundException.class,
            e -> assertThat(e.path()).isEqualTo("/only/in/small"));
    assertThat(
            db.find(
                e -> e.type() == ArtifactType.SOCI_INDEX || e.type() == ArtifactType.SOCI_PREFETCH))
        .isEmpty();
  }

  @Test
  void withoutPrefetchPathsTheIndexHasOnlyZtocs() throws Exception {
    SociIndex index = create(List.of(), new ArrayList<>()).index().orElseThrow();
    assertThat(index.prefetches()).isEmpty();
    assertThat(index.manifest().layers()).hasSize(2);
  }
}
