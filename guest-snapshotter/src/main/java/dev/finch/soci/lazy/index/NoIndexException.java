package dev.finch.soci.lazy.index;

import java.io.IOException;

/**
 * The image has no SOCI index (or the pull modes that could find one are off): every layer of it is
 * left to the container runtime. The message says where the index was looked for.
 */
public final class NoIndexException extends IOException {
  NoIndexException(String message) {
    super(message);
  }
}
