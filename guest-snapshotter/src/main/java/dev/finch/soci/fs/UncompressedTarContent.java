package dev.finch.soci.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@link FileContent} over a local uncompressed layer tar: a file's bytes start at its {@link
 * LayerNode.RegularFile#uncompressedOffset()}. Positional reads make it safe for concurrent use.
 */
public final class UncompressedTarContent implements FileContent, Closeable {
  private final FileChannel channel;

  private UncompressedTarContent(FileChannel channel) {
    this.channel = channel;
  }

  /** Opens {@code tar} for reading. */
  public static UncompressedTarContent open(Path tar) throws IOException {
    return new UncompressedTarContent(FileChannel.open(tar, StandardOpenOption.READ));
  }

  @Override
  public int read(LayerNode.RegularFile file, long offset, ByteBuffer dst) throws IOException {
    return channel.read(dst, file.uncompressedOffset() + offset);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
