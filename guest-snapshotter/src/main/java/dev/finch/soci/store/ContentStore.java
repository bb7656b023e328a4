package dev.finch.soci.store;

import dev.finch.soci.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Where images, zTOCs and SOCI indexes live on this machine: containerd's content store (the
 * reference CLI's default since v0.10) or a local OCI layout (the {@code soci} store, and {@code
 * --standalone}). Reads of a missing blob throw {@link java.nio.file.NoSuchFileException} with the
 * digest as its message.
 */
public interface ContentStore {
  boolean exists(Digest digest) throws IOException;

  long size(Digest digest) throws IOException;

  InputStream open(Digest digest) throws IOException;

  /** Reads exactly {@code len} bytes at {@code offset}; used for span reads of stored layers. */
  void readAt(Digest digest, long offset, byte[] dst, int off, int len) throws IOException;

  default byte[] readAll(Digest digest) throws IOException {
    try (InputStream in = open(digest)) {
      return in.readAllBytes();
    }
  }

  /**
   * Stores {@code data} under its digest (verified), with garbage-collection labels where
   * supported.
   */
  void write(Digest digest, byte[] data, Map<String, String> labels) throws IOException;

  /** Adds labels to a stored blob; a no-op for stores without labels. */
  void addLabels(Digest digest, Map<String, String> labels) throws IOException;

  void delete(Digest digest) throws IOException;

  List<Digest> list() throws IOException;
}
