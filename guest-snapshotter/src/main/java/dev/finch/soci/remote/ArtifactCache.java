package dev.finch.soci.remote;

import dev.finch.soci.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * SOCI indexes and zTOCs kept under {@code <root>/soci/artifacts}, verified by digest on write and on
 * read, so a restarted daemon re-mounts its layers without the registry.
 */
final class ArtifactCache {
  /** Fetches an artifact's bytes when they are not cached. */
  @FunctionalInterface
  interface Fetcher {
    byte[] fetch() throws IOException;
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
    byte[] b = fetcher.fetch();
    Digest actual = Digest.sha256(b);
    if (!actual.equals(digest)) {
      throw new IOException("artifact digest mismatch: expected " + digest + ", got " + actual);
    }
    Files.createDirectories(p.getParent());
    Path tmp = Files.createTempFile(p.getParent(), ".tmp-", "");
    try {
      Files.write(tmp, b);
      Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return b;
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
