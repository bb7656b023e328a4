package dev.finch.testkit.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes images into an OCI image layout directory ({@code oci-layout}, {@code index.json}, {@code
 * blobs/sha256/...}) without a Docker engine. The result can be pushed with skopeo ({@code
 * oci:<dir>:<tag>}) or archived with {@link OciArchive} and imported with {@code ctr images
 * import}.
 *
 * <pre>{@code
 * OciLayoutWriter w = new OciLayoutWriter(dir);
 * OciImage img = w.image("docker.io/finch/hello:1", "1")
 *     .layer(TarLayer.builder().file("hello.txt", "hi\n").build(), Compression.GZIP)
 *     .cmd("cat", "/hello.txt")
 *     .write();
 * }</pre>
 *
 * <p>Every {@code index.json} entry carries {@code org.opencontainers.image.ref.name} (the tag, as
 * skopeo expects) and {@code io.containerd.image.name} (the full name, which {@code ctr images
 * import} uses).
 *
 * @see <a
 *     href="https://github.com/opencontainers/image-spec/blob/main/image-layout.md">image-layout.md</a>
 */
public final class OciLayoutWriter {
  public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  public static final String LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  static final String REF_NAME = "org.opencontainers.image.ref.name";
  static final String CONTAINERD_NAME = "io.containerd.image.name";
  static final String CREATED = "2020-01-01T00:00:00Z";

  static final ObjectMapper JSON = JsonMapper.builder().build();

  /** How a layer blob is stored. */
  public enum Compression {
    GZIP,
    NONE
  }

  private final Path dir;
  private final List<Map<String, Object>> tagged = new ArrayList<>();

  /** Creates (or reuses) the layout at {@code dir}. */
  public OciLayoutWriter(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir.resolve("blobs/sha256"));
      Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
      writeIndexJson();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** Streams {@code layer} into a blob, hashing both the tar (diff id) and the stored bytes. */
  public OciLayer addLayer(TarLayer layer, Compression compression) {
    try {
      Path tmp = Files.createTempFile(dir, "layer-", ".tmp");
      String diffId;
      Sha256.HashingStream stored;
      try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        stored = new Sha256.HashingStream(file);
        if (compression == Compression.GZIP) {
          GZIPOutputStream gz = new GZIPOutputStream(stored, 1 << 16);
          Sha256.HashingStream tar = new Sha256.HashingStream(gz);
          layer.writeTar(tar);
          gz.finish();
          diffId = tar.digest();
        } else {
          layer.writeTar(stored);
          diffId = null;
        }
        stored.flush();
      }
      String digest = stored.digest();
      Files.move(tmp, blobPath(digest), StandardCopyOption.REPLACE_EXISTING);
      String mediaType = compression == Compression.GZIP ? LAYER_GZIP : LAYER_TAR;
      return new OciLayer(
          new OciBlob(mediaType, digest, stored.count()), diffId == null ? digest : diffId);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stores arbitrary bytes as a blob. */
  public OciBlob addBlob(byte[] data, String mediaType) {
    String digest = Sha256.of(data);
    try {
      Files.write(blobPath(digest), data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new OciBlob(mediaType, digest, data.length);
  }

  /** Path of a blob in the layout. */
  public Path blobPath(String digest) {
    return dir.resolve("blobs/sha256").resolve(digest.substring(digest.indexOf(':') + 1));
  }

  /**
   * Starts a single-platform image that {@link ImageBuilder#write()} tags as {@code name} / {@code
   * tag}.
   */
  public ImageBuilder image(String name, String tag) {
    return new ImageBuilder(this, name, tag);
  }

  /** Starts a platform image that is only stored, for {@link #writeIndex}; it is not tagged. */
  public ImageBuilder platformImage() {
    return new ImageBuilder(this, null, null);
  }

  /** Writes an image index over platform images and tags it. */
  public OciImage writeIndex(String name, String tag, List<OciImage> platformImages) {
    List<Object> manifests = new ArrayList<>();
    List<OciImage.PlatformManifest> pms = new ArrayList<>();
    for (OciImage img : platformImages) {
      OciImage.PlatformManifest pm = img.single();
      Map<String, Object> d = descriptor(pm.manifest());
      d.put("platform", platformJson(pm.platform()));
      manifests.add(d);
      pms.add(pm);
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", INDEX);
    index.put("manifests", manifests);
    OciBlob blob = addBlob(json(index), INDEX);
    tag(blob, name, tag);
    return new OciImage(dir, name, tag, blob, pms);
  }

  void tag(OciBlob target, String name, String tag) {
    Map<String, Object> d = descriptor(target);
    Map<String, String> ann = new LinkedHashMap<>();
    ann.put(CONTAINERD_NAME, name);
    ann.put(REF_NAME, tag);
    d.put("annotations", ann);
    tagged.removeIf(e -> tag.equals(((Map<?, ?>) e.get("annotations")).get(REF_NAME)));
    tagged.add(d);
    try {
      writeIndexJson();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeIndexJson() throws IOException {
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", INDEX);
    index.put("manifests", tagged);
    Files.write(dir.resolve("index.json"), json(index));
  }

  static Map<String, Object> descriptor(OciBlob b) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("mediaType", b.mediaType());
    d.put("digest", b.digest());
    d.put("size", b.size());
    return d;
  }

  static Map<String, Object> platformJson(String platform) {
    String[] p = platform.split("/");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architecture", p[1]);
    m.put("os", p[0]);
    if (p.length > 2) {
      m.put("variant", p[2]);
    }
    return m;
  }

  static byte[] json(Object o) {
    try {
      return JSON.writeValueAsString(o).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
