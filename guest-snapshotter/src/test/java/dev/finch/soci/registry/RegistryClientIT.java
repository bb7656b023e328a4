package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import dev.finch.testkit.RegistryFixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client against a real distribution 2.8 registry over plain http. */
class RegistryClientIT {
  @RegisterExtension static final RegistryFixture REGISTRY = RegistryFixture.builder().build();

  private RegistryClient client() {
    return RegistryClient.builder(REGISTRY.hostPort())
        .plainHttp(true)
        .retryPolicy(new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(20)))
        .chunkSize(1000)
        .monolithicLimit(1500)
        .build();
  }

  @Test
  void pushesMonolithicBlobOnceAndReadsItBack() throws Exception {
    RegistryClient c = client();
    byte[] data = TestImages.random(1, 1200);
    Digest d = Digest.sha256(data);
    assertThat(c.blobExists("mono", d)).isFalse();
    assertThat(c.pushBlob("mono", d, data)).isTrue();
    assertThat(c.blobExists("mono", d)).isTrue();
    assertThat(c.pushBlob("mono", d, data)).as("second push skipped").isFalse();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(c.fetchBlob("mono", d, out)).isEqualTo(1200);
    assertThat(out.toByteArray()).isEqualTo(data);
  }

  @Test
  void pushesChunkedBlobFromStreamOfUnknownSize() throws Exception {
    RegistryClient c = client();
    byte[] data = TestImages.random(2, 4321);
    Digest d = Digest.sha256(data);
    assertThat(c.pushBlob("chunked", d, -1, new ByteArrayInputStream(data))).isTrue();
    try (InputStream in = c.openBlob("chunked", d)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    byte[] big = TestImages.random(3, 2500);
    assertThat(c.pushBlob("chunked", Digest.sha256(big), big)).isTrue();
    assertThat(c.fetchBlobRange("chunked", Digest.sha256(big), new ByteRange(0, 2500)))
        .isEqualTo(big);
  }

  @Test
  void refusesToPushBytesThatDoNotMatchTheirDigest() {
    RegistryClient c = client();
    byte[] data = TestImages.random(4, 100);
    Digest wrong = Digest.sha256(new byte[] {1});
    assertThatThrownBy(() -> c.pushBlob("bad", wrong, data))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("expected " + wrong);
  }

  @Test
  void resolvesAndFetchesManifestsByTagAndDigest() {
    RegistryClient c = client();
    Descriptor pushed = TestImages.pushImage(c, "img", "v1", 10);
    ImageRef ref = ImageRef.parse(REGISTRY.hostPort() + "/img:v1");
    Descriptor resolved = c.resolve(ref);
    assertThat(resolved).isEqualTo(pushed);
    ManifestBytes byDigest = c.fetchManifest(ref.withDigest(pushed.digest()));
    assertThat(byDigest.descriptor()).isEqualTo(pushed);
    assertThat(byDigest.manifest().layers()).hasSize(1);
    assertThat(c.resolve(ImageRef.parse(REGISTRY.hostPort() + "/img@" + pushed.digest())))
        .isEqualTo(pushed);
  }

  @Test
  void missingManifestIsOneLineNotFound() {
    RegistryClient c = client();
    assertThatThrownBy(() -> c.fetchManifest(ImageRef.parse(REGISTRY.hostPort() + "/foo:bar")))
        .isInstanceOf(RegistryException.NotFound.class)
        .hasMessage("pull manifest " + REGISTRY.hostPort() + "/foo:bar: not found");
    assertThatThrownBy(() -> c.resolve(ImageRef.parse(REGISTRY.hostPort() + "/foo:bar")))
        .hasMessage("resolve " + REGISTRY.hostPort() + "/foo:bar: not found");
  }

  @Test
  void selectsPlatformFromIndexAndListsPlatformsWhenNoneMatches() {
    RegistryClient c = client();
    Descriptor amd =
        TestImages.pushImage(c, "multi", "amd", 20).withPlatform(Platform.parse("linux/amd64"));
    Descriptor arm =
        TestImages.pushImage(c, "multi", "arm", 21).withPlatform(Platform.parse("linux/arm64/v8"));
    byte[] index = Json.bytes(ImageIndex.of(List.of(amd, arm)));
    c.pushManifest("multi", "latest", MediaTypes.OCI_INDEX, index);
    ImageRef ref = ImageRef.parse(REGISTRY.hostPort() + "/multi:latest");

    assertThat(c.resolve(ref).mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(c.resolveImageManifest(ref, Platform.parse("linux/arm64")).descriptor().digest())
        .isEqualTo(arm.digest());
    assertThat(c.resolveImageManifest(ref, Platform.parse("linux/amd64")).descriptor().digest())
        .isEqualTo(amd.digest());
    assertThatThrownBy(() -> c.resolveImageManifest(ref, Platform.parse("linux/s390x")))
        .isInstanceOf(RegistryException.NoMatchingPlatform.class)
        .hasMessage(
            "resolve "
                + ref
                + ": no manifest for platform linux/s390x (available: linux/amd64, linux/arm64/v8)");
  }

  @Test
  void readsDockerManifestListsAndManifests() {
    RegistryClient c = client();
    byte[] config = "{\"os\":\"linux\"}".getBytes();
    c.pushBlob("docker", Digest.sha256(config), config);
    byte[] manifest =
        Json.bytes(
            new dev.finch.soci.oci.Manifest(
                2,
                MediaTypes.DOCKER_MANIFEST,
                null,
                Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.sha256(config), config.length),
                List.of(),
                null,
                null));
    Digest m = c.pushManifest("docker", "m", MediaTypes.DOCKER_MANIFEST, manifest);
    byte[] list =
        Json.bytes(
            new ImageIndex(
                2,
                MediaTypes.DOCKER_MANIFEST_LIST,
                null,
                List.of(
                    Descriptor.of(MediaTypes.DOCKER_MANIFEST, m, manifest.length)
                        .withPlatform(Platform.parse("linux/amd64"))),
                null,
                null));
    c.pushManifest("docker", "list", MediaTypes.DOCKER_MANIFEST_LIST, list);
    ImageRef ref = ImageRef.parse(REGISTRY.hostPort() + "/docker:list");
    assertThat(c.resolve(ref).mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    ManifestBytes image = c.resolveImageManifest(ref, Platform.parse("linux/amd64"));
    assertThat(image.descriptor())
        .isEqualTo(Descriptor.of(MediaTypes.DOCKER_MANIFEST, m, manifest.length));
    assertThat(image.manifest().config().mediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
  }

  @Test
  void readsSingleAndMergedRanges() {
    RegistryClient c = client();
    byte[] data = TestImages.random(5, 1400);
    Digest d = Digest.sha256(data);
    c.pushBlob("ranges", d, data);
    long before = REGISTRY.blobBytesServed(d.hex());

    assertThat(c.fetchBlobRange("ranges", d, new ByteRange(100, 200)))
        .isEqualTo(Arrays.copyOfRange(data, 100, 200));
    assertThat(REGISTRY.blobBytesServed(d.hex()) - before).isEqualTo(100);

    List<ByteRange> asked =
        List.of(
            new ByteRange(900, 1000),
            new ByteRange(0, 10),
            new ByteRange(5, 20),
            new ByteRange(20, 30),
            new ByteRange(1399, 1400));
    List<byte[]> got = c.fetchBlobRanges("ranges", d, asked);
    for (int i = 0; i < asked.size(); i++) {
      ByteRange r = asked.get(i);
      assertThat(got.get(i))
          .as("range %s", r)
          .isEqualTo(Arrays.copyOfRange(data, (int) r.start(), (int) r.end()));
    }
    assertThat(ByteRange.merge(asked))
        .containsExactly(new ByteRange(0, 30), new ByteRange(900, 1000), new ByteRange(1399, 1400));
  }

  @Test
  void maintainsAndDiscoversReferrersFallbackTag() {
    RegistryClient c = client();
    Descriptor image = TestImages.pushImage(c, "soci", "latest", 30);
    Descriptor first = TestImages.pushReferrer(c, "soci", image, MediaTypes.SOCI_INDEX_V1, "one");
    String tag = image.digest().tagForm();
    assertThat(c.listTags("soci")).contains(tag);
    ManifestBytes firstIndex = c.fetchManifest("soci", tag);
    assertThat(firstIndex.index().manifests())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.digest()).isEqualTo(first.digest());
              assertThat(e.artifactType()).isEqualTo(MediaTypes.SOCI_INDEX_V1);
              assertThat(e.annotation(MediaTypes.ANN_BUILD_TOOL)).isEqualTo("test one");
            });

    Descriptor second =
        TestImages.pushReferrer(c, "soci", image, "application/vnd.example.sbom", "two");
    TestImages.pushReferrer(c, "soci", image, MediaTypes.SOCI_INDEX_V1, "one");

    ImageIndex index = c.fetchManifest("soci", tag).index();
    assertThat(index.manifests())
        .extracting(Descriptor::digest)
        .containsExactly(first.digest(), second.digest());
    assertThatThrownBy(() -> c.fetchManifest("soci", firstIndex.descriptor().digest()))
        .as("replaced index deleted")
        .isInstanceOf(RegistryException.NotFound.class);

    RegistryClient fresh = client();
    assertThat(fresh.referrers("soci", image.digest(), MediaTypes.SOCI_INDEX_V1))
        .extracting(Descriptor::digest)
        .containsExactly(first.digest());
    assertThat(fresh.referrers("soci", image.digest(), null)).hasSize(2);
    assertThat(fresh.referrers("soci", Digest.sha256(new byte[] {9}), null)).isEmpty();
  }

  @Test
  void fallbackEntriesWithoutArtifactTypeAreMatchedByConfigMediaType() {
    RegistryClient c = client();
    Descriptor image = TestImages.pushImage(c, "foreign", "latest", 31);
    Descriptor soci = TestImages.pushReferrer(c, "foreign", image, MediaTypes.SOCI_INDEX_V1, "x");
    // Rewrite the tag index as a tool that omits artifactType would have written it.
    byte[] bare = Json.bytes(ImageIndex.of(List.of(soci)));
    c.putManifest("foreign", image.digest().tagForm(), MediaTypes.OCI_INDEX, bare);
    assertThat(
            c.fetchManifest("foreign", image.digest().tagForm())
                .index()
                .manifests()
                .getFirst()
                .artifactType())
        .isNull();
    assertThat(client().referrers("foreign", image.digest(), MediaTypes.SOCI_INDEX_V1))
        .extracting(Descriptor::digest)
        .containsExactly(soci.digest());
    assertThat(client().referrers("foreign", image.digest(), MediaTypes.SOCI_INDEX_V2)).isEmpty();
  }

  @Test
  void fallsBackToHttpForLoopbackWithoutPlainHttpFlag() {
    RegistryClient c =
        RegistryClient.builder(REGISTRY.hostPort())
            .retryPolicy(new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)))
            .build();
    assertThat(c.listTags("nothing-here")).isEmpty();
    assertThat(c.baseUri().getScheme()).isEqualTo("http");
  }
}
