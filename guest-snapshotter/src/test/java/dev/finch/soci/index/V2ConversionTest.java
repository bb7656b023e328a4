package dev.finch.soci.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class V2ConversionTest {
  @Test
  void dockerManifestBecomesOciIndexWithAnnotatedManifestAndSociEntry() throws Exception {
    Descriptor config = Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.sha256(new byte[] {1}), 1);
    Descriptor layer = Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, SociIndexTest.LAYER, 20_000_000);
    Manifest docker =
        new Manifest(2, MediaTypes.DOCKER_MANIFEST, null, config, List.of(layer), null, null);
    byte[] dockerBytes = Json.bytes(docker);
    Descriptor top =
        Descriptor.of(MediaTypes.DOCKER_MANIFEST, Digest.sha256(dockerBytes), dockerBytes.length);
    SociIndex soci =
        SociIndex.build(
            SociIndex.Version.V2, List.of(SociIndexTest.ztocDesc()), null, SociIndex.BUILD_TOOL);
    Platform amd64 = Platform.of("linux", "amd64", null);

    V2Conversion.Result r =
        V2Conversion.convert(
            top,
            dockerBytes,
            amd64,
            List.of(new V2Conversion.PlatformIndex(top.digest(), amd64, soci)),
            d -> d.equals(top.digest()) ? dockerBytes : null);

    assertThat(r.manifests()).hasSize(1);
    Manifest rewritten = Json.read(r.manifests().get(0).bytes(), Manifest.class);
    assertThat(rewritten.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(rewritten.config().mediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
    assertThat(rewritten.layers()).containsExactly(layer);
    assertThat(rewritten.annotation(MediaTypes.ANN_INDEX_DIGEST))
        .isEqualTo(soci.digest().toString());
    Digest newImage = r.manifests().get(0).descriptor().digest();
    assertThat(newImage)
        .isNotEqualTo(top.digest())
        .isEqualTo(Digest.sha256(r.manifests().get(0).bytes()));

    ImageIndex idx = Json.read(r.index().bytes(), ImageIndex.class);
    assertThat(idx.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(idx.manifests()).hasSize(2);
    Descriptor img = idx.manifests().get(0);
    assertThat(img.digest()).isEqualTo(newImage);
    assertThat(img.platform()).isEqualTo(amd64);
    assertThat(img.annotation(MediaTypes.ANN_INDEX_DIGEST)).isEqualTo(soci.digest().toString());
    Descriptor sociEntry = idx.manifests().get(1);
    assertThat(sociEntry.artifactType()).isEqualTo(MediaTypes.SOCI_INDEX_V2);
    assertThat(sociEntry.digest()).isEqualTo(soci.digest());
    assertThat(sociEntry.annotations())
        .isEqualTo(Map.of(MediaTypes.ANN_IMAGE_MANIFEST_DIGEST, newImage.toString()));
    String json = new String(r.index().bytes(), StandardCharsets.UTF_8);
    assertThat(json)
        .contains(
            "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"artifactType\":\"application/vnd.amazon.soci.index.v2+json\"}");
  }

  @Test
  void reconversionReplacesTheOldSociEntryAndKeepsAbsentManifests() throws Exception {
    Digest absent = Digest.sha256("arm".getBytes(StandardCharsets.UTF_8));
    Descriptor arm =
        Descriptor.of(MediaTypes.OCI_MANIFEST, absent, 10)
            .withPlatform(Platform.of("linux", "arm64", null));
    Descriptor oldSoci =
        Descriptor.of(MediaTypes.OCI_MANIFEST, SociIndexTest.ZTOC, 5)
            .withArtifactType(MediaTypes.SOCI_INDEX_V2);
    byte[] idxBytes = Json.bytes(ImageIndex.of(List.of(arm, oldSoci)));
    Descriptor top = Descriptor.of(MediaTypes.OCI_INDEX, Digest.sha256(idxBytes), idxBytes.length);
    V2Conversion.Result r = V2Conversion.convert(top, idxBytes, null, List.of(), d -> null);
    ImageIndex out = Json.read(r.index().bytes(), ImageIndex.class);
    assertThat(out.manifests()).containsExactly(arm);
    assertThat(r.manifests()).isEmpty();
  }
}
