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
}
