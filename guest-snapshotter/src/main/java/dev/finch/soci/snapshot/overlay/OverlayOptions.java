package dev.finch.soci.snapshot.overlay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel-dependent overlay mount options and their order.
 *
 * <p>containerd's overlay snapshotter puts {@code index=off} first whenever the kernel has the
 * overlay {@code index} parameter (so the same lower dir can be used by several overlays), then
 * {@code userxattr} when running in a user namespace, then {@code workdir=}, {@code upperdir=},
 * {@code lowerdir=}. soci's fork never adds {@code index=off} and appends {@code userxattr} last.
 * Both orders mount the same filesystem; {@link Flavor} picks whose exact strings to produce.
 *
 * @param indexOff add {@code index=off}; only honoured by {@link Flavor#CONTAINERD}
 * @param userxattr add {@code userxattr} (unprivileged overlay in a user namespace, kernel 5.11+)
 */
public record OverlayOptions(Flavor flavor, boolean indexOff, boolean userxattr) {

  /** Whose option list to reproduce byte for byte. */
  public enum Flavor {
    CONTAINERD,
    SOCI
  }

  /** containerd 1.7/2.x behaviour on this host. */
  public static OverlayOptions containerd() {
    return new OverlayOptions(Flavor.CONTAINERD, supportsIndex(), needsUserXattr());
  }

  /** soci-snapshotter behaviour on this host. */
  public static OverlayOptions soci() {
    return new OverlayOptions(Flavor.SOCI, false, needsUserXattr());
  }

  /**
   * The options of one overlay mount.
   *
   * @param workdir {@code null} for a view (no upper layer)
   * @param upperdir {@code null} for a view
   */
  public List<String> options(String workdir, String upperdir, List<String> lowerdirs) {
    List<String> o = new ArrayList<>();
    if (flavor == Flavor.CONTAINERD) {
      if (indexOff) {
        o.add("index=off");
      }
      if (userxattr) {
        o.add("userxattr");
      }
    }
    if (upperdir != null) {
      o.add("workdir=" + workdir);
      o.add("upperdir=" + upperdir);
    }
    o.add("lowerdir=" + String.join(":", lowerdirs));
    if (flavor == Flavor.SOCI && userxattr) {
      o.add("userxattr");
    }
    return o;
  }

  /** containerd's {@code supportsIndex}: the overlay module exposes an {@code index} parameter. */
  static boolean supportsIndex() {
    return Files.exists(Path.of("/sys/module/overlay/parameters/index"));
  }

  /**
   * containerd's {@code NeedsUserXAttr}, simplified: never in the initial user namespace; inside a
   * user namespace, when the kernel is 5.11 or newer (containerd additionally test-mounts).
   */
  static boolean needsUserXattr() {
    try {
      String map = Files.readString(Path.of("/proc/self/uid_map")).trim();
      boolean initialNs = map.matches("0\\s+0\\s+4294967295");
      if (initialNs) {
        return false;
      }
      String[] v = System.getProperty("os.version", "0.0").split("[.-]");
      int major = Integer.parseInt(v[0]);
      int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
      return major > 5 || (major == 5 && minor >= 11);
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }
}
