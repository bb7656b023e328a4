package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The requests that {@link ManifestRead} and {@link BlobRequest} build for their endpoints. */
class WholeResourceEndpointsTest {
  static final URI BASE = URI.create("https://r.example:5000");
  static final Digest BLOB = Digest.sha256(new byte[] {1, 2, 3});

  @Test
  void manifestHeadAndGetAskForTheReferenceInEveryTypeWeRead() {
    List<ManifestRead<?>> reads =
        List.of(
            new ManifestHead("r.example:5000", "team/app", "v1"),
            new ManifestFetch("r.example:5000", "team/app", "v1"));
    assertThat(reads).extracting(RegistryEndpoint::method).containsExactly("HEAD", "GET");
    for (ManifestRead<?> read : reads) {
      assertThat(read.uri(BASE)).hasToString("https://r.example:5000/v2/team/app/manifests/v1");
      assertThat(read.accept())
          .startsWith(MediaTypes.OCI_MANIFEST)
          .contains(
              MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);
      assertThat(read.followRedirects()).isFalse();
      assertThat(read.push()).isFalse();
    }
  }

  @Test
  void blobHeadAndGetFollowRedirectsFromTheBlobsPath() {
    List<BlobRequest<?>> calls =
        List.of(
            new BlobHead("r.example:5000", "team/app", BLOB, true),
            new BlobFetch("r.example:5000", "team/app", BLOB));
    assertThat(calls).extracting(RegistryEndpoint::method).containsExactly("HEAD", "GET");
    assertThat(calls).extracting(RegistryEndpoint::push).containsExactly(true, false);
    for (BlobRequest<?> call : calls) {
      assertThat(call.uri(BASE)).hasToString("https://r.example:5000/v2/team/app/blobs/" + BLOB);
      assertThat(call.followRedirects()).isTrue();
      assertThat(call.accept()).isEmpty();
    }
  }
}
