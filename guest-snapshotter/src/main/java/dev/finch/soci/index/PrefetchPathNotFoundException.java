package dev.finch.soci.index;

import java.io.IOException;

/**
 * A {@code --prefetch-file} path is in none of the image's layers that have a zTOC (it may not
 * exist, or live only in layers below {@code --min-layer-size}). The reference only logs a warning
 * and builds the index without it; we refuse, because an index that silently prefetches less than
 * asked is hard to notice.
 */
public final class PrefetchPathNotFoundException extends IOException {
  private final String path;

  public PrefetchPathNotFoundException(String path) {
    super(
        "prefetch file "
            + path
            + " not found in any layer with a zTOC"
            + " (layers smaller than --min-layer-size have none)");
    this.path = path;
  }

  /** The path as the user gave it. */
  public String path() {
    return path;
  }
}
