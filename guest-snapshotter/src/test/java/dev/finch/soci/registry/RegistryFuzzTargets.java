package dev.finch.soci.registry;

import static dev.finch.testkit.fuzz.FuzzInputs.read;
import static dev.finch.testkit.fuzz.FuzzInputs.use;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import dev.finch.testkit.fuzz.FuzzTarget;
import dev.finch.testkit.fuzz.RandomText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Fuzz targets for what a registry answers: Content-Range, multipart/byteranges bodies and the
 * range fetch that reads them, error bodies, manifests and image indexes, tag lists and referrers
 * pages. Answers are {@link FakeResponse}s, so the endpoints' own {@code handle} runs.
 */
public final class RegistryFuzzTargets {
  private static final String REGISTRY = "r.example:5000";
  private static final String REPO = "team/app";
  private static final Digest BLOB = Digest.sha256(new byte[] {1, 2, 3});
  private static final Path REFERENCE = Path.of("src/test/resources/reference041");
  private static final Path JSON = Path.of("src/test/resources/json");
  private static final String BOUNDARY = "3d6b6a416f9b5";

  private static final List<String> MANIFEST_KEYS =
      List.of(
          "schemaVersion",
          "mediaType",
          "artifactType",
          "config",
          "layers",
          "manifests",
          "subject",
          "annotations",
          "digest",
          "size",
          "urls",
          "platform",
          "architecture",
          "os",
          "variant",
          "os.version",
          "os.features",
          "data");
  private static final List<String> MANIFEST_STRINGS =
      List.of(
          MediaTypes.OCI_MANIFEST,
          MediaTypes.OCI_INDEX,
          MediaTypes.DOCKER_MANIFEST,
          MediaTypes.DOCKER_MANIFEST_LIST,
          MediaTypes.SOCI_INDEX_V1,
          MediaTypes.SOCI_INDEX_V2,
          "linux",
          "amd64",
          "arm64",
          BLOB.toString());

  private RegistryFuzzTargets() {}

  public static List<FuzzTarget> all() {
    return List.of(
        contentRange(),
        multipart(),
        blobRange(),
        errorDetail(),
        manifest(),
        tagsList(),
        referrers());
  }

  static FuzzTarget contentRange() {
    return FuzzTarget.builder(
            "content-range",
            in -> {
              ByteRange r = ContentRange.parse(new String(in, StandardCharsets.ISO_8859_1));
              if (r != null && r.length() <= 0) {
                throw new AssertionError("empty range " + r);
              }
            })
        .seed("bytes 0-99/100")
        .seed("bytes 100-199/*")
        .seed(" bytes  9223372036854775806-9223372036854775806/9223372036854775807 ")
        .dictionary("bytes", " ", "-", "/", "*", "9223372036854775807")
        .maxInputSize(256)
        .build();
  }

  static FuzzTarget multipart() {
    return FuzzTarget.builder(
            "multipart",
            in -> {
              int nl = indexOf(in, (byte) '\n');
              String boundary =
                  new String(in, 0, Math.max(nl, 0), StandardCharsets.ISO_8859_1).strip();
              byte[] body = nl < 0 ? in : java.util.Arrays.copyOfRange(in, nl + 1, in.length);
              MultipartByteranges.boundary("multipart/byteranges; boundary=" + boundary);
              for (MultipartByteranges.Part p : MultipartByteranges.parse(body, boundary)) {
                if (p.data().length != p.range().length()) {
                  throw new AssertionError("part " + p.range() + " has " + p.data().length);
                }
              }
            })
        .seed((BOUNDARY + "\n" + new String(multipartBody(), StandardCharsets.ISO_8859_1)))
        .typed(MultipartByteranges.MalformedBodyException.class)
        .dictionary("--", "\r\n", "Content-Range: ", "bytes ", "-", "/", BOUNDARY)
        .maxInputSize(16 << 10)
        .build();
  }

  static FuzzTarget blobRange() {
    BlobRangeFetch two =
        new BlobRangeFetch(
            REGISTRY, REPO, BLOB, List.of(new ByteRange(0, 3), new ByteRange(10, 16)), null);
    BlobRangeFetch one =
        new BlobRangeFetch(REGISTRY, REPO, BLOB, List.of(new ByteRange(10, 16)), null);
    return FuzzTarget.builder(
            "blob-range",
            in -> {
              BlobRangeFetch f = in.length % 2 == 0 ? two : one;
              BlobRangeFetch.Result r = f.handle(FakeResponse.of(in));
              if (r.data().size() != f.regions().size()) {
                throw new AssertionError("regions: " + r.data().size());
              }
            })
        .seed(
            FakeResponse.bytes(
                206,
                Map.of("Content-Type", "multipart/byteranges; boundary=" + BOUNDARY),
                multipartBody()))
        .seed(FakeResponse.bytes(206, Map.of("Content-Range", "bytes 0-15/16"), new byte[16]))
        .seed(FakeResponse.bytes(200, Map.of(), new byte[20]))
        .typed(RegistryException.class, IOException.class)
        .dictionary("206\n", "200\n", "Content-Range: ", "Content-Type: multipart/byteranges;")
        .maxInputSize(16 << 10)
        .build();
  }

  static FuzzTarget errorDetail() {
    return FuzzTarget.builder(
            "error-detail",
            in -> {
              String s = Responses.errorDetail(in);
              if (s.indexOf('\n') >= 0) {
                throw new AssertionError("detail has a newline: " + s);
              }
              Responses.failure("pull manifest x", REGISTRY, FakeResponse.of(in));
            })
        .seed(read(JSON.resolve("error-response.json")))
        .seed("500\n\n{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"x\"}]}")
        .seed("not json\nsecond line")
        .typed()
        .generator(
            r ->
                ("{\"errors\":"
                        + RandomText.jsonValue(
                            r, List.of("code", "message", "detail"), List.of(), 3)
                        + "}")
                    .getBytes(StandardCharsets.UTF_8))
        .maxInputSize(16 << 10)
        .build();
  }

  /** A manifest answer, read as the product reads it: its type, then manifest or index. */
  static FuzzTarget manifest() {
    Platform host = Platform.of("linux", "amd64", null);
    return FuzzTarget.builder(
            "manifest",
            in -> {
              FakeResponse resp = FakeResponse.of(in);
              ManifestBytes mb = new ManifestFetch(REGISTRY, REPO, "v1").handle(resp);
              if (mb.isIndex()) {
                ImageIndex index = mb.index();
                for (Descriptor d : index.manifests()) {
                  // what resolveImageManifest does with each entry
                  if (d.platform() != null && MediaTypes.isManifest(d.mediaType())) {
                    if (host.matches(d.platform())) {
                      use(d.digest().toString());
                    }
                    use(d.platform().toString());
                  }
                }
              } else {
                Manifest m = mb.manifest();
                for (Descriptor l : m.layers()) {
                  use(l.digest() + " " + l.mediaType() + " " + l.size());
                }
                use(m.annotation(MediaTypes.ANN_INDEX_DIGEST));
              }
            })
        .seed(
            FakeResponse.bytes(
                200,
                Map.of("Content-Type", MediaTypes.OCI_MANIFEST),
                read(REFERENCE.resolve("image-manifest.json"))))
        .seed(
            FakeResponse.bytes(
                200,
                Map.of("Content-Type", "application/json"),
                read(REFERENCE.resolve("referrers-fallback-tag-index.json"))))
        .seed(FakeResponse.bytes(200, Map.of(), read(REFERENCE.resolve("soci-index-span1m.json"))))
        .typed(RegistryException.class, IOException.class, UncheckedIOException.class)
        .generator(
            r ->
                FakeResponse.bytes(
                    200,
                    r.nextBoolean() ? Map.of() : Map.of("Content-Type", "application/json"),
                    RandomText.jsonObject(r, MANIFEST_KEYS, MANIFEST_STRINGS, 4)
                        .getBytes(StandardCharsets.UTF_8)))
        .dictionary(
            "\"mediaType\"", "\"manifests\"", "\"platform\"", "\"digest\"", "null", "{", "[")
        .maxInputSize(64 << 10)
        .build();
  }

  static FuzzTarget tagsList() {
    return FuzzTarget.builder(
            "tags-list",
            in -> {
              for (String t : new TagsList(REGISTRY, REPO).handle(FakeResponse.of(in))) {
                if (t == null) {
                  throw new AssertionError("null tag");
                }
              }
            })
        .seed(FakeResponse.bytes(200, Map.of(), read(JSON.resolve("tag-list.json"))))
        .seed(FakeResponse.bytes(404, Map.of(), new byte[0]))
        .typed(RegistryException.class, IOException.class)
        .generator(
            r ->
                FakeResponse.bytes(
                    200,
                    Map.of(),
                    RandomText.jsonObject(r, List.of("name", "tags"), List.of("latest"), 3)
                        .getBytes(StandardCharsets.UTF_8)))
        .maxInputSize(16 << 10)
        .build();
  }

  static FuzzTarget referrers() {
    return FuzzTarget.builder(
            "referrers",
            in -> {
              var page =
                  new ReferrersFetch(REGISTRY, REPO, BLOB, MediaTypes.SOCI_INDEX_V1, null)
                      .handle(FakeResponse.of(in));
              if (page.isPresent()) {
                for (Descriptor d : page.get().index().manifests()) {
                  // what the index resolver and the fallback filter read of each referrer
                  use(d.artifactType() + d.mediaType() + d.digest().toString());
                }
              }
            })
        .seed(
            FakeResponse.bytes(
                200,
                Map.of("Content-Type", MediaTypes.OCI_INDEX, "Link", "</v2/next?n=1>; rel=next"),
                read(REFERENCE.resolve("referrers-fallback-tag-index.json"))))
        .seed(FakeResponse.bytes(404, Map.of(), new byte[0]))
        .typed(RegistryException.class, IOException.class)
        .generator(
            r ->
                FakeResponse.bytes(
                    200,
                    Map.of("Content-Type", MediaTypes.OCI_INDEX),
                    RandomText.jsonObject(r, MANIFEST_KEYS, MANIFEST_STRINGS, 4)
                        .getBytes(StandardCharsets.UTF_8)))
        .dictionary("Link: <", ">; rel=\"next\"", "\"manifests\"", "\"artifactType\"")
        .maxInputSize(64 << 10)
        .build();
  }

  private static byte[] multipartBody() {
    String s =
        "--"
            + BOUNDARY
            + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-2/16\r\n\r\n"
            + "abc\r\n--"
            + BOUNDARY
            + "\r\nContent-Range: bytes 10-15/16\r\n\r\nklmnop\r\n--"
            + BOUNDARY
            + "--\r\n";
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }
}
