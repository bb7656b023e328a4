package dev.finch.soci.fs;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The attributes every node of a {@link LayerTree} has, independent of its type.
 *
 * @param inode stable inode number (see {@link LayerTree} for the numbering scheme)
 * @param permissions the low 12 mode bits: {@code rwx} for user/group/other plus setuid, setgid,
 *     sticky
 * @param uid owner user id
 * @param gid owner group id
 * @param modTime modification time (also reported as access and change time)
 * @param nlink link count: hard links for files, {@code 2 + subdirectories} for directories
 * @param xattrs extended attributes, name to value, sorted by name
 */
public record NodeAttributes(
    long inode,
    int permissions,
    int uid,
    int gid,
    Instant modTime,
    int nlink,
    Map<String, String> xattrs) {

  /** Mask of the permission, setuid, setgid and sticky bits. */
  public static final int PERMISSION_MASK = 07777;

  /** Validates and defensively copies. */
  public NodeAttributes {
    Objects.requireNonNull(modTime, "modTime");
    xattrs =
        xattrs.isEmpty()
            ? Collections.emptySortedMap()
            : Collections.unmodifiableSortedMap(new TreeMap<>(xattrs));
    permissions &= PERMISSION_MASK;
  }
}
