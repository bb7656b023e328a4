package dev.finch.soci.fs.fuse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a layer is mounted. {@link #defaults()} matches soci's {@code setupFuseServer}: read-only,
 * {@code allow_other}, {@code fsname=soci}, {@code suid}, attr/entry/negative timeouts of 1 s, no
 * {@code default_permissions} (soci's {@code NullPermissions}: the kernel does not check modes on
 * the FUSE mount itself; overlayfs still checks them on the container's merged view, and root
 * bypasses them anyway). The subtype {@code rawBridge} makes the mount show up as {@code
 * fuse.rawBridge} like soci's.
 *
 * @param fsName {@code fsname=}: the "source" column of the mount table
 * @param subtype {@code subtype=}: mount type becomes {@code fuse.<subtype>}; empty for plain
 *     {@code fuse}
 * @param allowOther let users other than the mounter access the mount (containers run as other
 *     uids)
 * @param suid honour setuid/setgid bits of files in the layer
 * @param defaultPermissions let the kernel enforce mode bits on the FUSE mount itself
 * @param attrTimeout how long the kernel caches attributes
 * @param entryTimeout how long the kernel caches name lookups
 * @param negativeTimeout how long the kernel caches "no such name"; zero replies ENOENT uncached
 * @param statfsPath directory whose filesystem {@code statfs} reports (soci: the snapshotter root);
 *     {@code null} means the parent of the mount point
 * @param maxConcurrentReads bound on FUSE reads served at once (each on its own virtual thread)
 */
public record MountOptions(
    String fsName,
    String subtype,
    boolean allowOther,
    boolean suid,
    boolean defaultPermissions,
    Duration attrTimeout,
    Duration entryTimeout,
    Duration negativeTimeout,
    Path statfsPath,
    int maxConcurrentReads) {

  /** Validates. */
  public MountOptions {
    Objects.requireNonNull(fsName, "fsName");
    Objects.requireNonNull(subtype, "subtype");
    Objects.requireNonNull(attrTimeout, "attrTimeout");
    Objects.requireNonNull(entryTimeout, "entryTimeout");
    Objects.requireNonNull(negativeTimeout, "negativeTimeout");
    for (String s : List.of(fsName, subtype)) {
      if (s.contains(",") || s.contains("\\")) {
        throw new IllegalArgumentException("mount option value must not contain ',' or '\\': " + s);
      }
    }
    if (maxConcurrentReads < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentReads must be >= 1, got " + maxConcurrentReads);
    }
  }

  /** soci's mount settings. */
  public static MountOptions defaults() {
    Duration oneSecond = Duration.ofSeconds(1);
    return new MountOptions(
        "soci", "rawBridge", true, true, false, oneSecond, oneSecond, oneSecond, null, 256);
  }

  /** A copy with {@link #statfsPath()} set. */
  public MountOptions withStatfsPath(Path path) {
    return new MountOptions(
        fsName,
        subtype,
        allowOther,
        suid,
        defaultPermissions,
        attrTimeout,
        entryTimeout,
        negativeTimeout,
        path,
        maxConcurrentReads);
  }

  /** The {@code -o} string handed to {@code fuse_session_new}. */
  String fuseOptionString() {
    List<String> o = new ArrayList<>(List.of("ro", "fsname=" + fsName));
    if (!subtype.isEmpty()) {
      o.add("subtype=" + subtype);
    }
    if (allowOther) {
      o.add("allow_other");
    }
    o.add(suid ? "suid" : "nosuid");
    if (defaultPermissions) {
      o.add("default_permissions");
    }
    return String.join(",", o);
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
