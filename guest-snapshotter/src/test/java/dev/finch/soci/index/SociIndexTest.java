package dev.finch.soci.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SociIndexTest {
  static final Digest LAYER = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
  static final Digest ZTOC = Digest.sha256("ztoc".getBytes(StandardCharsets.UTF_8));
  static final Digest IMAGE = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));

  static Descriptor ztocDesc() {
    Descriptor layer = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, LAYER, 20_000_000);
    return IndexCreator.ztocDescriptor(
        layer, ZTOC, 1992, new IndexOptions(4194304, 0, false, false), false);
  }

  @Test
  void v1IndexSerializesLikeGoJsonMarshal() {
    SociIndex idx =
        SociIndex.build(
            SociIndex.Version.V1,
            List.of(ztocDesc()),
            Descriptor.of(MediaTypes.OCI_MANIFEST, IMAGE, 555),
            SociIndex.BUILD_TOOL);
    String expected =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.amazon.soci.index.v1+json\","
            + "\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
            + "\"layers\":[{\"mediaType\":\"application/octet-stream\",\"digest\":\""
            + ZTOC
            + "\",\"size\":1992,"
            + "\"annotations\":{\"com.amazon.soci.image-layer-digest\":\""
            + LAYER
            + "\","
            + "\"com.amazon.soci.image-layer-mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
            + "\"com.amazon.soci.span-size\":\"4194304\"}}],"
            + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
            + IMAGE
            + "\",\"size\":555},"
            + "\"annotations\":{\"com.amazon.soci.build-tool-identifier\":\"AWS SOCI CLI v0.2\"}}";
    assertThat(new String(idx.bytes(), StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(idx.digest()).isEqualTo(Digest.sha256(expected.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void v2IndexHasNoSubjectAndRoundTrips() throws IOException {
    SociIndex idx =
        SociIndex.build(SociIndex.Version.V2, List.of(ztocDesc()), null, SociIndex.BUILD_TOOL);
    assertThat(new String(idx.bytes(), StandardCharsets.UTF_8))
        .doesNotContain("subject")
        .contains("application/vnd.amazon.soci.index.v2+json");
    SociIndex back = SociIndex.parse(idx.bytes());
    assertThat(back.version()).isEqualTo(SociIndex.Version.V2);
    assertThat(back.ztocFor(LAYER).digest()).isEqualTo(ZTOC);
    assertThat(back.ztocFor(IMAGE)).isNull();
    assertThat(back.digest()).isEqualTo(idx.digest());
  }

  @Test
  void jsonNullIsNotAnIndex() {
    // was: NullPointerException
    assertThatThrownBy(() -> SociIndex.parse("null".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class)
        .hasMessage("not a SOCI index: manifest has no config");
  }

  @Test
  void aBadDigestOrMediaTypeIsNamedOnOneLine() {
    // was: the digest text verbatim, CR included
    assertThatThrownBy(
            () ->
                SociIndex.parse(
                    "{\"config\":{\"digest\":\"\\r\"}}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("not a SOCI index: Cannot construct instance of")
        .hasMessageEndingWith("problem: invalid digest: ?");
    String badType =
        "{\"config\":{\"mediaType\":\"a\\nb\",\"digest\":\"" + IMAGE + "\",\"size\":1}}";
    assertThatThrownBy(() -> SociIndex.parse(badType.getBytes(StandardCharsets.UTF_8)))
        .hasMessage("unknown index version: config media type a?b");
  }

  @Test
  void rejectsUnknownConfigTypeAndEmptyIndex() {
    byte[] notSoci =
        ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                + "\"digest\":\""
                + IMAGE
                + "\",\"size\":1},\"layers\":[]}")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> SociIndex.parse(notSoci))
        .hasMessageContaining("unknown index version");
    assertThatThrownBy(
            () -> SociIndex.build(SociIndex.Version.V2, List.of(), null, SociIndex.BUILD_TOOL))
        .hasMessageContaining("no ztocs created");
  }

  @Test
  void xattrOptimizationAnnotatesOnlyLayersWithoutXattrs() {
    Descriptor layer = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, LAYER, 1);
    IndexOptions opt = new IndexOptions(1 << 20, 0, false, true);
    assertThat(
            IndexCreator.ztocDescriptor(layer, ZTOC, 1, opt, false)
                .annotation(MediaTypes.ANN_DISABLE_XATTRS))
        .isEqualTo("true");
    assertThat(
            IndexCreator.ztocDescriptor(layer, ZTOC, 1, opt, true)
                .annotation(MediaTypes.ANN_DISABLE_XATTRS))
        .isNull();
  }

  @Test
  void prefetchDescriptorsFollowTheZtocsAndAreFoundByLayer() throws IOException {
    Digest otherLayer = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
    byte[] json = PrefetchArtifact.of(List.of(new PrefetchArtifact.SpanRange(1, 2))).toJson();
    Digest pf = Digest.sha256(json);
    Descriptor prefetch =
        Descriptor.of(PrefetchArtifact.MEDIA_TYPE, pf, json.length)
            .withAnnotations(java.util.Map.of(MediaTypes.ANN_IMAGE_LAYER_DIGEST, LAYER.toString()));
    SociIndex idx =
        SociIndex.build(
            SociIndex.Version.V1,
            List.of(ztocDesc(), prefetch),
            Descriptor.of(MediaTypes.OCI_MANIFEST, IMAGE, 555),
            SociIndex.BUILD_TOOL);
    String text = new String(idx.bytes(), StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "\"com.amazon.soci.span-size\":\"4194304\"}},{\"mediaType\":\"application/vnd.amazon.soci.prefetch.v1+json\","
                + "\"digest\":\""
                + pf
                + "\",\"size\":"
                + json.length
                + ",\"annotations\":{\"com.amazon.soci.image-layer-digest\":\""
                + LAYER
                + "\"}}],");
    SociIndex back = SociIndex.parse(idx.bytes());
    assertThat(back.ztocs()).extracting(Descriptor::digest).containsExactly(ZTOC);
    assertThat(back.prefetches()).extracting(Descriptor::digest).containsExactly(pf);
    assertThat(back.prefetchFor(LAYER).digest()).isEqualTo(pf);
    assertThat(back.prefetchFor(otherLayer)).isNull();
    assertThat(back.ztocFor(LAYER).digest()).isEqualTo(ZTOC);
  }

  @Test
  void anIndexWithoutPrefetchHasNone() {
    SociIndex idx =
        SociIndex.build(SociIndex.Version.V2, List.of(ztocDesc()), null, SociIndex.BUILD_TOOL);
    assertThat(idx.prefetches()).isEmpty();
    assertThat(idx.prefetchFor(LAYER)).isNull();
  }
}
