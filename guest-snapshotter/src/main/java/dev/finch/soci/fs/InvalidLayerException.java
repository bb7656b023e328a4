package dev.finch.soci.fs;

/** A TOC entry list that cannot be turned into a layer tree (bad path, dangling hard link, ...). */
public final class InvalidLayerException extends IllegalArgumentException {
  /** Creates the exception with a message that names the offending entry. */
  public InvalidLayerException(String message) {
    super(message);
  }
}
