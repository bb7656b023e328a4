package dev.finch.soci.containerd;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an image that containerd already holds: image record, then index (if any), then the
 * selected platform manifests and their configs, all from the content store and verified against
 * their digests. Layer blobs are streamed with {@link #openLayer}.
 *
 * <p>Platform choice follows {@code soci create}: by default the host platform (a single-manifest
 * image is used whatever its platform); with a platform list, the first index entry matching each;
 * with all platforms, every image manifest present locally. SOCI index entries and attestation
 * manifests ({@code unknown/unknown}) are never selected.
 */
public final class ImageReader {
  private static final int MAX_INDEX_DEPTH = 4;
  private static final String REFERENCE_TYPE = "vnd.docker.reference.type";

  private final ImageStore images;
  private final ContentClient content;

  ImageReader(ImageStore images, ContentClient content) {
    this.images = images;
    this.content = content;
  }

  /**
   * Resolves image {@code name} (as containerd stores it, e.g. {@code
   * docker.io/library/busybox:latest}).
   */
  public ResolvedImage resolve(String name, PlatformSelection selection) {
    Image image = images.get(name);
    Descriptor target = image.target();
    if (target == null) {
      throw new ContainerdException(
          ContainerdException.Kind.FAILED_PRECONDITION, "image \"" + name + "\" has no target");
    }
    if (MediaTypes.isManifest(target.mediaType())) {
      PlatformImage single = readPlatformImage(target, null);
      if (!selection.isDefault()) {
        for (Platform p : selection.requested()) {
          if (single.platform() != null && !p.matches(single.platform())) {
            throw noPlatform(name, p);
          }
        }
      }
      return new ResolvedImage(image, null, List.of(single), List.of());
    }
    if (!MediaTypes.isIndex(target.mediaType())) {
      throw new ContainerdException(
          ContainerdException.Kind.INVALID_ARGUMENT,
          "image \"" + name + "\": unsupported target media type " + target.mediaType());
    }
    ImageIndex index = readJson(target, ImageIndex.class);
    List<Descriptor> candidates = new ArrayList<>();
    flatten(index, candidates, 0);
    List<PlatformImage> selected = new ArrayList<>();
    List<Descriptor> absent = new ArrayList<>();
    if (selection.all()) {
      for (Descriptor d : candidates) {
        if (content.find(d.digest()).isPresent()) {
          selected.add(readPlatformImage(d, d.platform()));
        } else {
          absent.add(d);
        }
      }
      if (selected.isEmpty()) {
        throw new ContainerdException(
            ContainerdException.Kind.NOT_FOUND,
            "image \"" + name + "\": no platform manifest is in the content store");
      }
      return new ResolvedImage(image, index, selected, absent);
    }
    Map<String, Descriptor> chosen = new LinkedHashMap<>();
    for (Platform p : selection.requested()) {
      Descriptor match =
          candidates.stream()
              .filter(d -> p.matches(d.platform()))
              .findFirst()
              .orElseThrow(() -> noPlatform(name, p));
      chosen.putIfAbsent(match.digest().toString(), match);
    }
    for (Descriptor d : chosen.values()) {
      if (content.find(d.digest()).isEmpty()) {
        throw new ContainerdException(
            ContainerdException.Kind.NOT_FOUND,
            "image \""
                + name
                + "\": manifest "
                + d.digest()
                + " for "
                + d.platform()
                + " is not in the content store (pull that platform first)");
      }
      selected.add(readPlatformImage(d, d.platform()));
    }
    return new ResolvedImage(image, index, selected, absent);
  }

  /**
   * Streams a layer blob from the content store: its file, when containerd's content store is on
   * this machine for us to read ({@link ContentClient#localBlob}), else through containerd.
   */
  public InputStream openLayer(Descriptor layer) {
    Optional<Path> file = content.localBlob(layer.digest(), layer.size());
    if (file.isPresent()) {
      try {
        return Files.newInputStream(file.get());
      } catch (IOException e) {
        // gone or unreadable since it was looked at: containerd streams it
      }
    }
    return content.readBlob(layer.digest());
  }

  private void flatten(ImageIndex index, List<Descriptor> out, int depth) {
    for (Descriptor d : index.manifests()) {
      if (MediaTypes.isIndex(d.mediaType())) {
        if (depth < MAX_INDEX_DEPTH && content.find(d.digest()).isPresent()) {
          flatten(readJson(d, ImageIndex.class), out, depth + 1);
        }
      } else if (MediaTypes.isManifest(d.mediaType()) && isImageManifest(d)) {
        out.add(d);
      }
    }
  }

  private static boolean isImageManifest(Descriptor d) {
    if (MediaTypes.SOCI_INDEX_V2.equals(d.artifactType())
        || MediaTypes.SOCI_INDEX_V1.equals(d.artifactType())) {
      return false;
    }
    if (d.annotation(MediaTypes.ANN_IMAGE_MANIFEST_DIGEST) != null) {
      return false;
    }
    if ("attestation-manifest".equals(d.annotation(REFERENCE_TYPE))) {
      return false;
    }
    Platform p = d.platform();
    return p == null || !("unknown".equals(p.os()) && "unknown".equals(p.architecture()));
  }

  private PlatformImage readPlatformImage(Descriptor desc, Platform fromIndex) {
    byte[] manifestBytes = content.readAll(desc.digest());
    Manifest manifest = parse(manifestBytes, Manifest.class, desc);
    if (manifest.config() == null) {
      throw new ContainerdException(
          ContainerdException.Kind.PROTOCOL,
          "manifest " + desc.digest() + " has no config descriptor");
    }
    byte[] config = content.readAll(manifest.config().digest());
    Platform platform = fromIndex != null ? fromIndex : PlatformImage.platformOfConfig(config);
    return new PlatformImage(desc, manifest, manifestBytes, platform, config);
  }

  private <T> T readJson(Descriptor d, Class<T> type) {
    return parse(content.readAll(d.digest()), type, d);
  }

  private static <T> T parse(byte[] data, Class<T> type, Descriptor d) {
    try {
      return Json.read(data, type);
    } catch (IOException e) {
      throw new ContainerdException(
          ContainerdException.Kind.PROTOCOL,
          "blob "
              + d.digest()
              + " ("
              + d.mediaType()
              + ") is not a valid "
              + type.getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static ContainerdException noPlatform(String name, Platform p) {
    return new ContainerdException(
        ContainerdException.Kind.NOT_FOUND,
        "image \"" + name + "\" has no manifest for platform " + p);
  }
}
