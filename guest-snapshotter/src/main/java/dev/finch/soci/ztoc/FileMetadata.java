package dev.finch.soci.ztoc;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One tar entry as the zTOC records it (Go {@code archive/tar} semantics).
 *
 * @param name the header name verbatim ({@code etc/}, {@code ./bin/sh}, ...)
 * @param type one of the {@code TYPE_*} constants (the reference stores the string)
 * @param uncompressedOffset where the entry's data starts in the uncompressed tar
 * @param uncompressedSize the header's size field
 * @param linkname symlink target or hardlink source
 * @param mode raw header mode (permission and, for some writers, type bits)
 * @param uid owner, 0..2^32-1 (the reference stores uint32)
 * @param gid group, 0..2^32-1
 * @param uname owner name
 * @param gname group name
 * @param modTime Go {@code time.Time.MarshalText} of the mtime, kept as text for byte stability
 * @param devmajor device major number
 * @param devminor device minor number
 * @param xattrs all PAX records of the entry (not only {@code SCHILY.xattr.*}), sorted by key
 * @param tarHeaderOffset where the entry's first header starts; not serialised, recomputed on
 *     decode the way the reference does
 */
public record FileMetadata(
    String name,
    String type,
    long uncompressedOffset,
    long uncompressedSize,
    String linkname,
    long mode,
    long uid,
    long gid,
    String uname,
    String gname,
    String modTime,
    long devmajor,
    long devminor,
    SortedMap<String, String> xattrs,
    long tarHeaderOffset) {
  public static final String TYPE_REG = "reg";
  public static final String TYPE_DIR = "dir";
  public static final String TYPE_SYMLINK = "symlink";
  public static final String TYPE_HARDLINK = "hardlink";
  public static final String TYPE_CHAR = "char";
  public static final String TYPE_BLOCK = "block";
  public static final String TYPE_FIFO = "fifo";

  /** Prefix of PAX records that carry extended attributes. */
  public static final String SCHILY_XATTR = "SCHILY.xattr.";

  public FileMetadata {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(linkname, "linkname");
    Objects.requireNonNull(uname, "uname");
    Objects.requireNonNull(gname, "gname");
    Objects.requireNonNull(modTime, "modTime");
    xattrs = Collections.unmodifiableSortedMap(new TreeMap<>(xattrs));
  }

  /** The same entry with another tar header offset. */
  public FileMetadata withTarHeaderOffset(long offset) {
    return new FileMetadata(
        name,
        type,
        uncompressedOffset,
        uncompressedSize,
        linkname,
        mode,
        uid,
        gid,
        uname,
        gname,
        modTime,
        devmajor,
        devminor,
        xattrs,
        offset);
  }

  /** Only the {@code SCHILY.xattr.*} records, prefix stripped: what a filesystem exposes. */
  public SortedMap<String, String> extendedAttributes() {
    TreeMap<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : xattrs.entrySet()) {
      if (e.getKey().startsWith(SCHILY_XATTR)) {
        out.put(e.getKey().substring(SCHILY_XATTR.length()), e.getValue());
      }
    }
    return Collections.unmodifiableSortedMap(out);
  }

  /**
   * The name the snapshotter uses: Go {@code strings.TrimPrefix(filepath.Clean("/"+name), "/")}.
   * Callers must have rejected {@code ..} elements already (see {@link TocValidation}).
   */
  public String cleanName() {
    return TocValidation.cleanPath(name);
  }
}
