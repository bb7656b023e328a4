package dev.finch.soci.containerd;

import dev.finch.soci.oci.Platform;
import java.util.List;

/**
 * Which platform manifests of a multi-platform image to use, as {@code soci create} chooses them:
 * {@code --all-platforms}, a {@code --platform} list, or (by default) the host platform.
 *
 * @param platforms requested platforms; empty with {@code all=false} means the host platform
 */
public record PlatformSelection(List<Platform> platforms, boolean all) {
  public PlatformSelection {
    platforms = platforms == null ? List.of() : List.copyOf(platforms);
  }

  /** The default: the platform of this host. */
  public static PlatformSelection host() {
    return new PlatformSelection(List.of(), false);
  }

  /** Every platform whose manifest is present locally. */
  public static PlatformSelection allPlatforms() {
    return new PlatformSelection(List.of(), true);
  }

  /** Exactly these platforms; each must be present. */
  public static PlatformSelection of(List<Platform> platforms) {
    if (platforms.isEmpty()) {
      throw new IllegalArgumentException("at least one platform is required");
    }
    return new PlatformSelection(platforms, false);
  }

  /** What is actually requested (the host platform when none is named); empty for all. */
  public List<Platform> requested() {
    if (all) {
      return List.of();
    }
    return platforms.isEmpty() ? List.of(Platform.host()) : platforms;
  }

  /** True for the default (host) selection. */
  public boolean isDefault() {
    return !all && platforms.isEmpty();
  }
}
