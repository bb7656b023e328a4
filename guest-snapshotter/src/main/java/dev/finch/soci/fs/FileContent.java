package dev.finch.soci.fs;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the FUSE filesystem gets file bytes from. The span manager implements it with Range fetches
 * and decompression; {@link UncompressedTarContent} reads a local uncompressed tar.
 *
 * <p>Implementations are called concurrently from many threads (one virtual thread per FUSE read),
 * for any file and range, and must be thread-safe. Any {@link IOException} or runtime exception
 * becomes {@code EIO} for that one read; the mount stays up.
 */
@FunctionalInterface
public interface FileContent {
  /**
   * Reads file bytes {@code [offset, offset + dst.remaining())} into {@code dst}, advancing its
   * position. The filesystem only asks for ranges inside the file ({@code offset + dst.remaining()
   * <= file.size()}).
   *
   * @param file the file to read
   * @param offset offset within the file
   * @param dst destination; may be a direct buffer over native memory
   * @return bytes read, {@code > 0}; fewer than requested is allowed and the filesystem asks again
   *     for the rest, but {@code <= 0} before the requested range is complete is treated as an I/O
   *     error
   * @throws IOException if the bytes cannot be obtained
   */
  int read(LayerNode.RegularFile file, long offset, ByteBuffer dst) throws IOException;

  /**
   * Reads all of {@code [offset, offset + dst.remaining())} into {@code dst} if that needs no
   * waiting (the bytes are local: cached spans, a local file), else leaves {@code dst} as it was
   * and answers false, and the filesystem calls {@link #read} on a thread of its own. The FUSE
   * session's own thread calls this, so that a warm read costs no hand-over between threads; it
   * must never block on the network. The default never reads here.
   *
   * @throws IOException if the local bytes cannot be read (the read then fails with EIO)
   */
  default boolean readIfLocal(LayerNode.RegularFile file, long offset, ByteBuffer dst)
      throws IOException {
    return false;
  }
}
