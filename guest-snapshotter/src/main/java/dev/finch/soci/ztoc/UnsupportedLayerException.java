package dev.finch.soci.ztoc;

import dev.finch.soci.ztoc.compression.ZtocException;

/**
 * The layer cannot get a zTOC by design (today: zstd layers), which the reference skips silently.
 * Callers should print {@link #getMessage()} and carry on; it is not a failure.
 */
public final class UnsupportedLayerException extends ZtocException {
  private static final long serialVersionUID = 1L;

  /** The message the reference behaviour implies for zstd layers. */
  public static final String ZSTD_SKIPPED = "skipped: zstd layers are not supported";

  public UnsupportedLayerException(String message) {
    super(message);
  }
}
