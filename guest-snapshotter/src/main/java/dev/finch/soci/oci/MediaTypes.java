package dev.finch.soci.oci;

import java.util.Set;

/** Media types and annotation keys of the OCI, Docker and SOCI formats. */
public final class MediaTypes {
  private MediaTypes() {}

  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER_GZIP =
      "application/vnd.docker.image.rootfs.diff.tar.gzip";
  public static final String DOCKER_LAYER_FOREIGN_GZIP =
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

  public static final String SOCI_INDEX_V1 = "application/vnd.amazon.soci.index.v1+json";
  public static final String SOCI_INDEX_V2 = "application/vnd.amazon.soci.index.v2+json";
  public static final String SOCI_ZTOC = "application/octet-stream";
  public static final String SOCI_PREFETCH = "application/vnd.amazon.soci.prefetch.v1+json";

  public static final String ANN_IMAGE_LAYER_DIGEST = "com.amazon.soci.image-layer-digest";
  public static final String ANN_IMAGE_LAYER_MEDIA_TYPE = "com.amazon.soci.image-layer-mediaType";
  public static final String ANN_SPAN_SIZE = "com.amazon.soci.span-size";
  public static final String ANN_BUILD_TOOL = "com.amazon.soci.build-tool-identifier";
  public static final String ANN_DISABLE_XATTRS = "com.amazon.soci.disable-xattrs";
  public static final String ANN_IMAGE_MANIFEST_DIGEST = "com.amazon.soci.image-manifest-digest";
  public static final String ANN_INDEX_DIGEST = "com.amazon.soci.index-digest";

  /** The {@code {}} blob every SOCI index uses as its config. */
  public static final Digest EMPTY_JSON_DIGEST =
      Digest.parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");

  public static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
  public static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);

  public static boolean isManifest(String mediaType) {
    return mediaType != null && MANIFESTS.contains(mediaType);
  }

  public static boolean isIndex(String mediaType) {
    return mediaType != null && INDEXES.contains(mediaType);
  }

  /** Layer compression as containerd's {@code images.DiffCompression} sees it. */
  public enum Compression {
    GZIP,
    UNCOMPRESSED,
    ZSTD,
    UNKNOWN
  }

  public static Compression layerCompression(String mediaType) {
    if (mediaType == null) {
      return Compression.UNKNOWN;
    }
    if (mediaType.endsWith("+zstd") || mediaType.endsWith(".zstd")) {
      return Compression.ZSTD;
    }
    if (mediaType.endsWith("+gzip")
        || mediaType.endsWith(".tar.gzip")
        || mediaType.endsWith(".gzip")) {
      return Compression.GZIP;
    }
    if (mediaType.endsWith(".tar") || mediaType.endsWith(".diff.tar")) {
      return Compression.UNCOMPRESSED;
    }
    return Compression.UNKNOWN;
  }
}
