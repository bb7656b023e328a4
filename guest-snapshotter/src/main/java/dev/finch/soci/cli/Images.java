package dev.finch.soci.cli;

import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.ContainerdException;
import dev.finch.soci.containerd.PlatformImage;
import dev.finch.soci.containerd.PlatformSelection;
import dev.finch.soci.containerd.ResolvedImage;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.Platform;

/** Finding images in containerd by the names users type. */
public final class Images {
  private Images() {}

  /**
   * Resolves {@code name} as stored in containerd, falling back to its normalised form ({@code
   * alpine} is stored as {@code docker.io/library/alpine:latest} by nerdctl and the CRI).
   */
  public static ResolvedImage resolve(
      ContainerdClient cd, String name, PlatformSelection selection) {
    try {
      return cd.imageReader().resolve(name, selection);
    } catch (ContainerdException e) {
      if (e.kind() != ContainerdException.Kind.NOT_FOUND) {
        throw e;
      }
      String normalized;
      try {
        normalized = ImageRef.parse(name).toString();
      } catch (IllegalArgumentException bad) {
        throw new SociException(bad.getMessage());
      }
      if (!normalized.equals(name) && cd.images().find(normalized).isPresent()) {
        return cd.imageReader().resolve(normalized, selection);
      }
      throw new SociException(
          "image \""
              + name
              + "\": not found in containerd namespace \""
              + cd.namespace()
              + "\" (pull it first, e.g. ctr images pull "
              + name
              + ")");
    }
  }

  public static Platform platformOf(PlatformImage pi) {
    return pi.platform() != null ? pi.platform() : Platform.host();
  }
}
