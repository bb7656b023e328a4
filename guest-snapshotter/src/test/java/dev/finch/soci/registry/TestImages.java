package dev.finch.soci.registry;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small images built in code from a seed, pushed through the client under test. */
final class TestImages {
  private TestImages() {}

  static byte[] random(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /**
   * Pushes a config blob and one layer blob and an image manifest under {@code tag}; answers its
   * descriptor.
   */
  static Descriptor pushImage(RegistryClient client, String repo, String tag, long seed) {
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}").getBytes();
    byte[] layer = random(seed, 3000);
    Descriptor c = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length);
    Descriptor l = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(layer), layer.length);
    client.pushBlob(repo, c.digest(), config);
    client.pushBlob(repo, l.digest(), layer);
    Manifest m = new Manifest(2, MediaTypes.OCI_MANIFEST, null, c, List.of(l), null, null);
    byte[] bytes = Json.bytes(m);
    Digest d = client.pushManifest(repo, tag, MediaTypes.OCI_MANIFEST, bytes);
    return Descriptor.of(MediaTypes.OCI_MANIFEST, d, bytes.length);
  }

  /**
   * Pushes an artifact manifest (empty {@code {}} config of {@code artifactType}) whose subject is
   * {@code subject}.
   */
  static Descriptor pushReferrer(
      RegistryClient client, String repo, Descriptor subject, String artifactType, String note) {
    byte[] empty = "{}".getBytes();
    client.pushBlob(repo, MediaTypes.EMPTY_JSON_DIGEST, empty);
    byte[] ztoc = ("ztoc-" + note).getBytes();
    Descriptor z = Descriptor.of(MediaTypes.SOCI_ZTOC, Digest.sha256(ztoc), ztoc.length);
    client.pushBlob(repo, z.digest(), ztoc);
    Manifest m =
        new Manifest(
            2,
            MediaTypes.OCI_MANIFEST,
            null,
            Descriptor.of(artifactType, MediaTypes.EMPTY_JSON_DIGEST, 2),
            List.of(z),
            subject.bare(),
            Map.of(MediaTypes.ANN_BUILD_TOOL, "test " + note));
    byte[] bytes = Json.bytes(m);
    Digest d = Digest.sha256(bytes);
    client.pushManifest(repo, d.toString(), MediaTypes.OCI_MANIFEST, bytes);
    return Descriptor.of(MediaTypes.OCI_MANIFEST, d, bytes.length);
  }
}
