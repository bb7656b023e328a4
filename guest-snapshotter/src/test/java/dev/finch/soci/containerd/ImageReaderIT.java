package dev.finch.soci.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.OciLayer;
import dev.finch.testkit.image.OciLayoutWriter;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images built by the testkit, imported with {@code ctr images import}, read back through our
 * client.
 */
class ImageReaderIT {
  @RegisterExtension
  static final ContainerdFixture CONTAINERD = ContainerdFixture.builder().build();

  @TempDir static Path tmp;

  static ContainerdClient client;
  static OciImage single;
  static OciImage multi;

  @BeforeAll
  static void importImages() {
    client = ContainerdClient.connect(CONTAINERD.socket(), CONTAINERD.namespace());
    TarLayer data =
        TarLayer.builder()
            .dir("data")
            .file("data/hello.txt", "hello from a test layer\n")
            .randomFile("data/random.bin", 3 * 1024 * 1024 + 17, 99)
            .hardlink("data/hello-link.txt", "data/hello.txt")
            .file("data/" + "long-name-".repeat(12) + ".txt", "pax\n")
            .build();
    single =
        TestImages.busybox(tmp.resolve("single"), "docker.io/finch/busybox:reader", "reader", data);
    TestImages.importInto(CONTAINERD, single, false);

    OciLayoutWriter w = new OciLayoutWriter(tmp.resolve("multi"));
    OciImage amd =
        w.platformImage()
            .platform("linux/amd64")
            .layer(data, OciLayoutWriter.Compression.GZIP)
            .write();
    OciImage arm =
        w.platformImage()
            .platform("linux/arm64/v8")
            .layer(
                TarLayer.builder().file("arm.txt", "arm\n").build(),
                OciLayoutWriter.Compression.NONE)
            .write();
    multi = w.writeIndex("docker.io/finch/multi:reader", "multi", List.of(amd, arm));
    TestImages.importInto(CONTAINERD, multi, true);
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void singleManifestImageResolvesWithLayersAndConfig() throws Exception {
    Image image = client.images().get(single.name());
    assertThat(image.target().digest().toString()).isEqualTo(single.target().digest());
    assertThat(image.target().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);

    ResolvedImage r = client.imageReader().resolve(single.name(), PlatformSelection.host());
    assertThat(r.index()).isNull();
    assertThat(r.manifests()).hasSize(1);
    PlatformImage p = r.manifests().getFirst();
    assertThat(p.platform()).isEqualTo(Platform.of("linux", "amd64", null));
    assertThat(Digest.sha256(p.manifestBytes()).toString()).isEqualTo(single.target().digest());
    assertThat(p.config().digest().toString()).isEqualTo(single.single().config().digest());

    List<OciLayer> expected = single.single().layers();
    assertThat(p.layers()).hasSize(expected.size());
    assertThat(p.diffIds())
        .extracting(Digest::toString)
        .containsExactlyElementsOf(expected.stream().map(OciLayer::diffId).toList());
    for (int i = 0; i < expected.size(); i++) {
      Descriptor layer = p.layers().get(i);
      assertThat(layer.digest().toString()).isEqualTo(expected.get(i).blob().digest());
      assertThat(layer.mediaType()).isEqualTo(MediaTypes.OCI_LAYER_GZIP);
      byte[] blob;
      try (InputStream in = client.imageReader().openLayer(layer)) {
        blob = in.readAllBytes();
      }
      assertThat(blob).hasSize((int) layer.size());
      assertThat(Digest.sha256(blob)).isEqualTo(layer.digest());
      try (InputStream gz = new GZIPInputStream(client.imageReader().openLayer(layer))) {
        assertThat(Digest.sha256(gz.readAllBytes())).isEqualTo(p.diffIds().get(i));
      }
    }
  }

  @Test
  void layersAreReadFromTheirFileInContainerdsContentStoreWhenItIsHere() throws Exception {
    ResolvedImage r = client.imageReader().resolve(single.name(), PlatformSelection.host());
    Descriptor layer = r.manifests().getFirst().layers().getLast();
    ContentClient content = client.content();
    // containerd's content plug-in says where its root is: the fixture's own root
    assertThat(content.contentRoot())
        .contains(CONTAINERD.root().resolve("io.containerd.content.v1.content"));
    Path file =
        CONTAINERD
            .root()
            .resolve("io.containerd.content.v1.content/blobs/sha256")
            .resolve(layer.digest().hex());
    assertThat(content.localBlob(layer.digest(), layer.size())).contains(file);
    byte[] streamed;
    try (InputStream in = content.readBlob(layer.digest())) {
      streamed = in.readAllBytes();
    }
    try (InputStream in = client.imageReader().openLayer(layer)) {
      assertThat(in.readAllBytes()).isEqualTo(streamed);
    }
    // a size that is not the file's, a blob this namespace lacks, or one not in the store at all
    assertThat(content.localBlob(layer.digest(), layer.size() + 1)).isEmpty();
    try (ContainerdClient other = ContainerdClient.connect(CONTAINERD.socket(), "elsewhere")) {
      assertThat(other.content().localBlob(layer.digest(), layer.size())).isEmpty();
    }
    assertThat(content.localBlob(Digest.sha256(new byte[] {1, 2, 3}), 3)).isEmpty();
  }

  @Test
  void indexResolvesHostPlatformByDefault() {
    ResolvedImage r = client.imageReader().resolve(multi.name(), PlatformSelection.host());
    assertThat(r.index()).isNotNull();
    assertThat(r.index().manifests()).hasSize(2);
    assertThat(r.manifests())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.platform().toString()).isEqualTo("linux/amd64");
              assertThat(p.descriptor().digest().toString())
                  .isEqualTo(multi.manifests().get(0).manifest().digest());
            });
  }

  @Test
  void indexResolvesNamedAndAllPlatforms() {
    ResolvedImage arm =
        client
            .imageReader()
            .resolve(multi.name(), PlatformSelection.of(List.of(Platform.parse("linux/arm64"))));
    assertThat(arm.manifests())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.platform().variant()).isEqualTo("v8");
              assertThat(p.layers().getFirst().mediaType()).isEqualTo(MediaTypes.OCI_LAYER_TAR);
            });

    ResolvedImage all =
        client.imageReader().resolve(multi.name(), PlatformSelection.allPlatforms());
    assertThat(all.manifests())
        .extracting(p -> p.platform().toString())
        .containsExactly("linux/amd64", "linux/arm64/v8");
    assertThat(all.absent()).isEmpty();

    assertThatThrownBy(
            () ->
                client
                    .imageReader()
                    .resolve(
                        multi.name(), PlatformSelection.of(List.of(Platform.parse("linux/s390x")))))
        .isInstanceOfSatisfying(
            ContainerdException.class,
            e -> assertThat(e.kind()).isEqualTo(ContainerdException.Kind.NOT_FOUND))
        .hasMessageContaining("linux/s390x");
  }

  @Test
  void missingImageIsNotFound() {
    assertThatThrownBy(
            () -> client.imageReader().resolve("docker.io/finch/nope:1", PlatformSelection.host()))
        .isInstanceOfSatisfying(
            ContainerdException.class,
            e -> assertThat(e.kind()).isEqualTo(ContainerdException.Kind.NOT_FOUND));
  }
}
