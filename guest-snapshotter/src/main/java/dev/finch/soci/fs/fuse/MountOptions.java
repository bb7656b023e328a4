package dev.finch.soci.fs.fuse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a layer is mounted. {@link #defaults()} follows soci's {@code setupFuseServer}: read-only,
 * {@code allow_other}, {@code fsname=soci}, {@code suid}, no {@code default_permissions} (soci's
 * {@code NullPermissions}: the kernel does not check modes on the FUSE mount itself; overlayfs
 * still checks them on the container's merged view, and root bypasses them anyway). The subtype
 * {@code rawBridge} makes the mount show up as {@code fuse.rawBridge} like soci's. One departure:
 * soci's attr/entry/negative timeouts are 1 s, ours {@link #CACHE_TIMEOUT} (a day). A layer never
 * changes while it is mounted, so nothing the kernel caches of it can go stale, and with 1 s a walk
 * of a warm tree asks the daemon again for every name it passes, every second (a {@code find} of
 * 50,000 files: 10x the time on overlayfs).
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

  /** How long the kernel may keep names, attributes and "no such name" of a mounted layer. */
  public static final Duration CACHE_TIMEOUT = Duration.ofDays(1);

  /** soci's mount settings, with {@link #CACHE_TIMEOUT} for the kernel's caches. */
  public static MountOptions defaults() {
    return new MountOptions(
        "soci",
        "rawBridge",
        true,
        true,
        false,
        CACHE_TIMEOUT,
        CACHE_TIMEOUT,
        CACHE_TIMEOUT,
        null,
        256);
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
