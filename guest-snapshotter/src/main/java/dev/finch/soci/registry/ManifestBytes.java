package dev.finch.soci.registry;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.ImageIndex;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A manifest or index exactly as the registry served it, with its descriptor (digest computed from
 * these bytes).
 */
public record ManifestBytes(Descriptor descriptor, byte[] bytes) {
  public boolean isIndex() {
    return MediaTypes.isIndex(descriptor.mediaType());
  }

  public boolean isManifest() {
    return MediaTypes.isManifest(descriptor.mediaType());
  }

  /** Parses the bytes as an image manifest. */
  public Manifest manifest() {
    Manifest m;
    try {
      m = Json.read(bytes, Manifest.class);
    } catch (IOException e) {
      throw new UncheckedIOException("manifest " + descriptor.digest() + " is not valid JSON", e);
    }
    if (m == null) {
      throw new UncheckedIOException(
          "manifest " + descriptor.digest() + " is not a JSON object", new IOException("null"));
    }
    return m;
  }

  /** Parses the bytes as an image index or Docker manifest list. */
  public ImageIndex index() {
    ImageIndex i;
    try {
      i = Json.read(bytes, ImageIndex.class);
    } catch (IOException e) {
      throw new UncheckedIOException("index " + descriptor.digest() + " is not valid JSON", e);
    }
    if (i == null) {
      throw new UncheckedIOException(
          "index " + descriptor.digest() + " is not a JSON object", new IOException("null"));
    }
    return i;
  }
}
