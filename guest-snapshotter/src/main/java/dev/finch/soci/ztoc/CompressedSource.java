package dev.finch.soci.ztoc;

import java.io.IOException;

/**
 * Random access to a layer blob's compressed bytes: a local file for {@code soci ztoc get-file},
 * HTTP range requests for the lazy-loading filesystem.
 */
public interface CompressedSource {
  /** Reads exactly {@code len} bytes at blob offset {@code offset} or throws. */
  void readFully(long offset, byte[] dst, int off, int len) throws IOException;

  /** Blob size in bytes. */
  long size() throws IOException;
}
