package dev.finch.soci.ztoc.compression;

import java.io.IOException;

/**
 * A zTOC could not be built, decoded or used. {@link #getMessage()} is a single line meant for the
 * user (the CLI prints it as is), e.g. {@code layer sha256:ab..: gzip stream truncated at
 * compressed offset 1234}.
 */
public class ZtocException extends IOException {
  private static final long serialVersionUID = 1L;

  public ZtocException(String message) {
    super(message);
  }

  public ZtocException(String message, Throwable cause) {
    super(message, cause);
  }
}
