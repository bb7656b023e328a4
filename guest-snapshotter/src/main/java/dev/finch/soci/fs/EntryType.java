package dev.finch.soci.fs;

import java.util.Locale;

/**
 * The type of a TOC entry, as written in the zTOC {@code type} field (soci {@code
 * ztoc/toc_builder.go}).
 *
 * <p>Only the seven types the soci TOC builder emits exist; anything else aborts the zTOC build
 * there, so {@link #fromToc(String)} rejects it here too.
 */
public enum EntryType {
  /** Regular file (tar typeflag {@code 0} or {@code \0}). */
  REG,
  /** Directory. */
  DIR,
  /** Symbolic link; {@link LayerEntry#linkName()} is the target. */
  SYMLINK,
  /** Hard link; {@link LayerEntry#linkName()} is the path of the earlier entry it links to. */
  HARDLINK,
  /** Character device. */
  CHAR,
  /** Block device. */
  BLOCK,
  /** Named pipe. */
  FIFO;

  /** The zTOC spelling of this type, e.g. {@code "reg"}. */
  public String tocName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses the zTOC spelling.
   *
   * @throws InvalidLayerException if the string is not one of the seven zTOC types
   */
  public static EntryType fromToc(String type) {
    for (EntryType t : values()) {
      if (t.tocName().equals(type)) {
        return t;
      }
    }
    throw new InvalidLayerException(
        "unsupported TOC entry type: expected one of reg, dir, symlink,"
            + " hardlink, char, block, fifo; got \""
            + type
            + "\"");
  }
}
