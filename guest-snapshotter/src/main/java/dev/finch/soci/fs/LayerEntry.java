package dev.finch.soci.fs;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One TOC entry of a layer, the input of {@link LayerTree#build}.
 *
 * <p>The fields mirror the zTOC {@code FileMetadata} table: {@code name} is the tar header name
 * verbatim (it may start with {@code ./} or {@code /} and end with {@code /}); {@code mode} is the
 * raw tar mode (only the low 12 bits, permissions plus setuid/setgid/sticky, are used; the file
 * type comes from {@code type}); {@code paxRecords} are <em>all</em> PAX records of the header, of
 * which only keys starting with {@code SCHILY.xattr.} are extended attributes.
 *
 * @param name tar header name
 * @param type entry type
 * @param mode raw tar mode
 * @param uid owner user id
 * @param gid owner group id
 * @param size uncompressed size of the file data (regular files only)
 * @param linkName symlink target, or the hard-link target path; empty otherwise
 * @param devMajor device major number (char/block only)
 * @param devMinor device minor number (char/block only)
 * @param modTime modification time with nanosecond precision
 * @param paxRecords all PAX records of the header
 * @param uncompressedOffset offset of the entry's data in the uncompressed tar stream
 */
public record LayerEntry(
    String name,
    EntryType type,
    long mode,
    int uid,
    int gid,
    long size,
    String linkName,
    long devMajor,
    long devMinor,
    Instant modTime,
    Map<String, String> paxRecords,
    long uncompressedOffset) {

  /** PAX record key prefix that marks an extended attribute (Go {@code archive/tar}, GNU tar). */
  public static final String XATTR_PAX_PREFIX = "SCHILY.xattr.";

  /** Validates and defensively copies. */
  public LayerEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(modTime, "modTime");
    linkName = linkName == null ? "" : linkName;
    paxRecords = paxRecords == null ? Map.of() : Map.copyOf(paxRecords);
    if (size < 0) {
      throw new InvalidLayerException("entry " + name + ": negative size " + size);
    }
  }

  /**
   * The extended attributes: {@code SCHILY.xattr.*} PAX records with the prefix stripped, sorted by
   * name.
   */
  public Map<String, String> xattrs() {
    Map<String, String> out = new TreeMap<>();
    paxRecords.forEach(
        (k, v) -> {
          if (k.startsWith(XATTR_PAX_PREFIX) && k.length() > XATTR_PAX_PREFIX.length()) {
            out.put(k.substring(XATTR_PAX_PREFIX.length()), v);
          }
        });
    return out;
  }

  /**
   * Parses a zTOC {@code mod_time} string: Go {@code time.Time.MarshalText}, i.e. RFC 3339 with
   * optional fractional seconds and a {@code Z} or numeric offset.
   *
   * @throws InvalidLayerException when it is not such a time (a zTOC comes from a registry)
   */
  public static Instant parseModTime(String rfc3339) {
    try {
      return Instant.parse(rfc3339);
    } catch (java.time.format.DateTimeParseException e) {
      String shown = rfc3339.length() > 40 ? rfc3339.substring(0, 40) + "..." : rfc3339;
      throw new InvalidLayerException(
          "mod time \"" + shown.replaceAll("\\p{Cntrl}", "?") + "\" is not an RFC 3339 time");
    }
  }
}
