package dev.finch.soci.lazy.index;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.util.DurableFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * SOCI indexes and zTOCs kept under {@code <root>/soci/artifacts}, verified by digest on write and
 * on read, so a restarted daemon re-mounts its layers without the registry. Files are written with
 * {@link DurableFiles}: one that exists is whole, also after a crash or a power loss.
 */
public final class ArtifactCache {
  /** Writes an artifact's bytes to {@code out} when they are not cached. */
  @FunctionalInterface
  interface Fetcher {
    void fetch(OutputStream out) throws IOException;
  }

  private final Path dir;
  // one lock per digest: a Prepare and the hint before it fetch an artifact once between them
  private final java.util.Map<Digest, Object> locks =
      new java.util.concurrent.ConcurrentHashMap<>();
  // cache files checked (or written) by this process: they are only ever replaced by rename
  private final java.util.Set<Digest> verified = java.util.concurrent.ConcurrentHashMap.newKeySet();

  // artifacts mapped by map(), one mapping each for the life of the daemon
  private final java.util.Map<Digest, java.nio.MappedByteBuffer> mapped =
      new java.util.concurrent.ConcurrentHashMap<>();

  // the notes are tiny and rare; one lock keeps two writers of one note from sharing its temp file
  private final Object notesLock = new Object();

  /** The cache in {@code dir} (created on the first write). */
  public ArtifactCache(Path dir) {
    this.dir = dir;
  }

  byte[] get(Digest digest, Fetcher fetcher) throws IOException {
    return Files.readAllBytes(file(digest, fetcher));
  }

  /**
   * The artifact memory-mapped read-only: its pages are read (and count in the daemon's memory)
   * only when touched, so the checkpoint windows of a large zTOC stay on disk until their spans are
   * inflated. Cache files are only ever replaced by rename, never changed in place, so the mapping
   * stays valid. One mapping per artifact serves every caller (each gets its own view of it): a
   * mapping ends only when the GC collects its buffer, so mapping a zTOC again at every mount of
   * its layer would pile up mappings, each counting its touched pages in RSS again, until a full
   * collection.
   */
  java.nio.MappedByteBuffer map(Digest digest, Fetcher fetcher) throws IOException {
    java.nio.MappedByteBuffer shared = mapped.get(digest);
    if (shared == null) {
      try (java.nio.channels.FileChannel ch =
          java.nio.channels.FileChannel.open(file(digest, fetcher))) {
        java.nio.MappedByteBuffer fresh =
            ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size());
        shared = java.util.Objects.requireNonNullElse(mapped.putIfAbsent(digest, fresh), fresh);
      }
    }
    return shared.duplicate();
  }

  /**
   * A zTOC written from its skeleton into {@code <dir>/sparse/<hex>} with its windows left as
   * holes, and memory-mapped (see {@link #map}).
   *
   * @param fresh true when this call wrote the file, false when an earlier daemon did
   */
  record Sparse(
      java.nio.MappedByteBuffer bytes,
      Path file,
      dev.finch.soci.ztoc.ZtocSkeleton skeleton,
      boolean fresh) {}

  /**
   * The zTOC {@code ztoc} (of {@code ztocSize} bytes) built from the skeleton artifact {@code
   * skeleton}, which is fetched (verified, cached) if need be; its windows are not there. Refused
   * when the skeleton describes another zTOC.
   */
  Sparse sparse(Digest ztoc, long ztocSize, Digest skeleton, Fetcher fetcher) throws IOException {
    Path p = dir.resolve("sparse").resolve(ztoc.hex());
    synchronized (locks.computeIfAbsent(ztoc, d -> new Object())) {
      dev.finch.soci.ztoc.ZtocSkeleton sk;
      try {
        sk = dev.finch.soci.ztoc.ZtocSkeleton.parse(get(skeleton, fetcher), ztocSize);
      } catch (dev.finch.soci.ztoc.compression.ZtocException e) {
        throw new IOException("zTOC skeleton " + skeleton + ": " + e.getMessage(), e);
      }
      if (!sk.ztoc().equals(ztoc) || sk.ztocSize() != ztocSize) {
        throw new IOException(
            "zTOC skeleton " + skeleton + " describes " + sk.ztoc() + ", not zTOC " + ztoc);
      }
      boolean fresh = !Files.isRegularFile(p) || Files.size(p) != ztocSize;
      if (fresh) {
        Files.createDirectories(p.getParent());
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        try (java.nio.channels.FileChannel ch =
            java.nio.channels.FileChannel.open(
                tmp,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
          sk.writeSparse(ch);
        }
        DurableFiles.publish(tmp, p); // fsyncs it, renames it, fsyncs the directory
      }
      java.nio.MappedByteBuffer bytes;
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p)) {
        bytes = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size());
      }
      return new Sparse(bytes, p, sk, fresh);
    }
  }

  /** True when the whole zTOC {@code digest} is already cached (then no skeleton is needed). */
  boolean has(Digest digest) {
    return Files.isRegularFile(path(digest));
  }

  private Path path(Digest digest) {
    return dir.resolve(digest.algorithm()).resolve(digest.hex());
  }

  // the verified cache file of the artifact, fetched into the cache first if it is not there;
  // callers
  // asking for one digest at the same time share one fetch
  private Path file(Digest digest, Fetcher fetcher) throws IOException {
    synchronized (locks.computeIfAbsent(digest, d -> new Object())) {
      return fileLocked(digest, fetcher);
    }
  }

  private Path fileLocked(Digest digest, Fetcher fetcher) throws IOException {
    Path p = path(digest);
    if (Files.isRegularFile(p)) {
      if (verified.contains(digest) || digestOf(p).equals(digest)) {
        verified.add(digest);
        return p;
      }
      Files.deleteIfExists(p);
    }
    // Streamed into the cache file while hashed: the artifact is never whole on the heap. One
    // writer per digest (the lock above), so the helper's fixed temporary name is safe.
    Files.createDirectories(p.getParent());
    DurableFiles.write(
        p,
        file -> {
          MessageDigest md = Digest.newSha256();
          OutputStream out = new DigestOutputStream(new BufferedOutputStream(file, 1 << 16), md);
          fetcher.fetch(out);
          out.flush();
          Digest actual = Digest.fromSha256(md.digest());
          if (!actual.equals(digest)) {
            throw new IOException(
                "artifact digest mismatch: expected " + digest + ", got " + actual);
          }
        });
    verified.add(digest);
    return p;
  }

  // read through a small buffer, not mapped, so checking a cached zTOC does not page all of it in
  private static Digest digestOf(Path p) throws IOException {
    MessageDigest md = Digest.newSha256();
    try (java.io.InputStream in =
        new java.security.DigestInputStream(Files.newInputStream(p), md)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return Digest.fromSha256(md.digest());
  }

  /** A small text record (e.g. which index an image manifest uses), or null. */
  String readNote(String name) throws IOException {
    Path p = dir.resolve("notes").resolve(name);
    return Files.isRegularFile(p) ? Files.readString(p).strip() : null;
  }

  void writeNote(String name, String value) throws IOException {
    Path p = dir.resolve("notes").resolve(name);
    synchronized (notesLock) {
      Files.createDirectories(p.getParent());
      DurableFiles.write(p, value.getBytes(StandardCharsets.UTF_8));
    }
  }
}
