package dev.finch.soci.lazy.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.index.SociIndex;
import dev.finch.soci.lazy.hosts.RegistryHosts;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.FakeServer;
import dev.finch.soci.registry.auth.CredentialRetriever;
import dev.finch.soci.spi.PluginConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order in which a SOCI index is found, against an in-process registry that serves manifests by
 * digest and tag and, when asked to, the referrers API: the index label, then the v2 manifest
 * annotation, then the v1 referrers (the API, else the {@code sha256-<hex>} fallback tag). Each
 * source wins over the later ones and is skipped when absent.
 */
class IndexResolverTest {
  static final String REPO = "test/app";
  static final PluginConfig.PullModes BOTH = new PluginConfig.PullModes(true, true);

  @TempDir Path dir;

  /** path to (content type, body); what is not here is a 404 */
  final Map<String, Served> paths = new ConcurrentHashMap<>();

  FakeServer server;
  RegistryHosts hosts;
  ImageRef ref;

  record Served(String type, byte[] body) {}

  // the image manifest whose index is looked for, and one index per source
  Digest manifest;
  SociIndex labelIndex;
  SociIndex annotatedIndex;
  SociIndex referrersIndex;
  SociIndex tagIndex;

  @BeforeEach
  void start() throws IOException {
    server =
        new FakeServer(
            ex -> {
              Served s = paths.get(ex.getRequestURI().getPath());
              if (s == null) {
                FakeServer.send(
                    ex,
                    404,
                    "{\"errors\":[{\"code\":\"NOT_FOUND\"}]}".getBytes(StandardCharsets.UTF_8));
                return;
              }
              ex.getResponseHeaders().set("Content-Type", s.type());
              FakeServer.send(ex, 200, s.body());
            });
    hosts = new RegistryHosts(Map.of(), CredentialRetriever::anonymous);
    ref = ImageRef.parse(server.hostPort() + "/" + REPO + ":latest");
    labelIndex = index(SociIndex.Version.V2, "label", null);
    annotatedIndex = index(SociIndex.Version.V2, "annotation", null);
  }

  @AfterEach
  void stop() {
    hosts.close();
    server.close();
  }

  IndexResolver resolver(PluginConfig.PullModes modes) {
    return new IndexResolver(new ArtifactCache(dir.resolve("artifacts")), hosts::client, modes);
  }

  /** Serves the image manifest, with the v2 annotation when asked; the v1 indexes refer to it. */
  void image(boolean annotated) {
    byte[] config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    Descriptor layer = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(new byte[] {1}), 1);
    Manifest m =
        new Manifest(
            2,
            MediaTypes.OCI_MANIFEST,
            null,
            Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length),
            List.of(layer),
            null,
            annotated
                ? Map.of(MediaTypes.ANN_INDEX_DIGEST, annotatedIndex.digest().toString())
                : null);
    byte[] bytes = Json.bytes(m);
    manifest = Digest.sha256(bytes);
    paths.put(manifestPath(manifest.toString()), new Served(MediaTypes.OCI_MANIFEST, bytes));
    Descriptor subject = Descriptor.of(MediaTypes.OCI_MANIFEST, manifest, bytes.length);
    referrersIndex = index(SociIndex.Version.V1, "referrers-api", subject);
    tagIndex = index(SociIndex.Version.V1, "fallback-tag", subject);
  }

  /** A SOCI index (of one made-up zTOC), served by its digest. */
  SociIndex index(SociIndex.Version version, String note, Descriptor subject) {
    byte[] ztoc = ("ztoc of " + note).getBytes(StandardCharsets.UTF_8);
    SociIndex i =
        SociIndex.build(
            version,
            List.of(Descriptor.of(MediaTypes.SOCI_ZTOC, Digest.sha256(ztoc), ztoc.length)),
            subject,
            "test " + note);
    paths.put(manifestPath(i.digest().toString()), new Served(MediaTypes.OCI_MANIFEST, i.bytes()));
    return i;
  }

  /** The registry has the referrers API, and it lists the "referrers-api" index. */
  void referrersApi() {
    paths.put(
        "/v2/" + REPO + "/referrers/" + manifest,
        new Served(MediaTypes.OCI_INDEX, list(referrersIndex)));
  }

  /** The {@code sha256-<hex>} tag lists the "fallback-tag" index. */
  void fallbackTag() {
    paths.put(manifestPath(manifest.tagForm()), new Served(MediaTypes.OCI_INDEX, list(tagIndex)));
  }

  static byte[] list(SociIndex i) {
    return Json.bytes(
        ImageIndex.of(List.of(i.descriptor().withArtifactType(MediaTypes.SOCI_INDEX_V1))));
  }

  static String manifestPath(String reference) {
    return "/v2/" + REPO + "/manifests/" + reference;
  }

  long requestsTo(String pathPart) {
    return server.requests.stream().filter(r -> r.uri().contains(pathPart)).count();
  }

  @Test
  void theLabelWinsOverEveryRegistrySource() throws IOException {
    image(true);
    referrersApi();
    fallbackTag();
    SociIndex got = resolver(BOTH).resolve(ref, manifest, labelIndex.digest().toString());
    assertThat(got.digest()).isEqualTo(labelIndex.digest());
    assertThat(got.bytes()).isEqualTo(labelIndex.bytes());
  }

  @Test
  void withoutALabelTheV2AnnotationWinsOverTheReferrers() throws IOException {
    image(true);
    referrersApi();
    fallbackTag();
    assertThat(resolver(BOTH).resolve(ref, manifest, null).digest())
        .isEqualTo(annotatedIndex.digest());
    assertThat(resolver(BOTH).resolve(ref, manifest, " ").digest())
        .as("a blank label is no label")
        .isEqualTo(annotatedIndex.digest());
  }

  @Test
  void withoutAnAnnotationTheReferrersApiWinsOverTheFallbackTag() throws IOException {
    image(false);
    referrersApi();
    fallbackTag();
    assertThat(resolver(BOTH).resolve(ref, manifest, null).digest())
        .isEqualTo(referrersIndex.digest());
    assertThat(requestsTo(manifest.tagForm()))
        .as("the tag is not read when the API answers")
        .isZero();
  }

  @Test
  void aRegistryWithoutTheReferrersApiIsAskedForTheFallbackTag() throws IOException {
    image(false);
    fallbackTag();
    assertThat(resolver(BOTH).resolve(ref, manifest, null).digest()).isEqualTo(tagIndex.digest());
    assertThat(requestsTo("/referrers/")).as("the API was tried first").isPositive();
  }

  @Test
  void theAnnotationIsIgnoredWithV2OffAndTheReferrersWithV1Off() throws IOException {
    image(true);
    referrersApi();
    assertThat(
            resolver(new PluginConfig.PullModes(true, false)).resolve(ref, manifest, null).digest())
        .isEqualTo(referrersIndex.digest());
    assertThat(
            new IndexResolver(
                    new ArtifactCache(dir.resolve("other")),
                    hosts::client,
                    new PluginConfig.PullModes(false, true))
                .resolve(ref, manifest, null)
                .digest())
        .isEqualTo(annotatedIndex.digest());
    IndexResolver v2Only =
        new IndexResolver(
            new ArtifactCache(dir.resolve("third")),
            hosts::client,
            new PluginConfig.PullModes(false, true));
    image(false);
    referrersApi();
    assertThatThrownBy(() -> v2Only.resolve(ref, manifest, null))
        .isInstanceOf(NoIndexException.class);
  }

  @Test
  void noSourceHavingAnIndexSaysWhereItLookedAndIsRemembered() throws IOException {
    image(false);
    IndexResolver r = resolver(BOTH);
    String expected =
        "no SOCI index found for image manifest "
            + manifest
            + ": no index label, no com.amazon.soci.index-digest annotation, no v1 index among its"
            + " referrers";
    assertThatThrownBy(() -> r.resolve(ref, manifest, null))
        .isInstanceOf(NoIndexException.class)
        .hasMessage(expected);
    int asked = server.requests.size();
    assertThatThrownBy(() -> r.resolve(ref, manifest, null))
        .isInstanceOf(NoIndexException.class)
        .hasMessage(expected);
    assertThat(server.requests).as("the second answer comes without the registry").hasSize(asked);

    assertThatThrownBy(
            () ->
                new IndexResolver(
                        new ArtifactCache(dir.resolve("off")),
                        hosts::client,
                        new PluginConfig.PullModes(false, false))
                    .resolve(ref, manifest, null))
        .isInstanceOf(NoIndexException.class)
        .hasMessage(
            "no SOCI index found for image manifest "
                + manifest
                + ": no index label, pull modes soci_v1 and soci_v2 both off");
  }

  @Test
  void aResolvedIndexIsFoundAgainAfterARestartWithoutTheRegistry() throws IOException {
    image(true);
    assertThat(resolver(BOTH).resolve(ref, manifest, null).digest())
        .isEqualTo(annotatedIndex.digest());
    paths.clear();
    server.requests.clear();
    SociIndex again = resolver(BOTH).resolve(ref, manifest, labelIndex.digest().toString());
    assertThat(again.digest())
        .as("the recorded answer wins, even over a label")
        .isEqualTo(annotatedIndex.digest());
    assertThat(server.requests).isEmpty();
  }

  @Test
  void aZtocIsFetchedOnceAndServedFromTheCache() throws IOException {
    image(true);
    byte[] ztoc = "ztoc of annotation".getBytes(StandardCharsets.UTF_8);
    Descriptor d = annotatedIndex.ztocs().getFirst();
    paths.put("/v2/" + REPO + "/blobs/" + d.digest(), new Served("application/octet-stream", ztoc));
    IndexResolver r = resolver(BOTH);
    for (int i = 0; i < 2; i++) {
      var mapped = r.ztoc(ref, d);
      byte[] back = new byte[mapped.remaining()];
      mapped.get(back);
      assertThat(back).isEqualTo(ztoc);
    }
    assertThat(requestsTo("/blobs/")).isEqualTo(1);
  }
}
