package dev.finch.soci.remote;

import dev.finch.soci.oci.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * SOCI indexes and zTOCs kept under {@code <root>/soci/artifacts}, verified by digest on write and on
 * read, so a restarted daemon re-mounts its layers without the registry.
 */
final class ArtifactCache {
  /** Writes an artifact's bytes to {@code out} when they are not cached. */
  @FunctionalInterface
  interface Fetcher {
    void fetch(OutputStream out) throws IOException;
  }

  private final Path dir;

  ArtifactCache(Path dir) {
    this.dir = dir;
  }

  byte[] get(Digest digest, Fetcher fetcher) throws IOException {
    Path p = dir.resolve(digest.algorithm()).resolve(digest.hex());
    if (Files.isRegularFile(p)) {
      byte[] b = Files.readAllBytes(p);
      if (Digest.sha256(b).equals(digest)) {
        return b;
      }
      Files.deleteIfExists(p);
    }
    // Streamed into the cache file while hashed, so a large zTOC is in memory once, when read back.
    Files.createDirectories(p.getParent());
    Path tmp = Files.createTempFile(p.getParent(), ".tmp-", "");
    try {
      MessageDigest md = Digest.newSha256();
      try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), md)) {
        fetcher.fetch(out);
      }
      Digest actual = Digest.fromSha256(md.digest());
      if (!actual.equals(digest)) {
        throw new IOException("artifact digest mismatch: expected " + digest + ", got " + actual);
      }
      Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return Files.readAllBytes(p);
  }

  /** A small text record (e.g. which index an image manifest uses), or null. */
  String readNote(String name) throws IOException {
    Path p = dir.resolve("notes").resolve(name);
    return Files.isRegularFile(p) ? Files.readString(p).strip() : null;
  }

  void writeNote(String name, String value) throws IOException {
    Path p = dir.resolve("notes").resolve(name);
    Files.createDirectories(p.getParent());
    Path tmp = Files.createTempFile(p.getParent(), ".tmp-", "");
    Files.writeString(tmp, value);
    Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
