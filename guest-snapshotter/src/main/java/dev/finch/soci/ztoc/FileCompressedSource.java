package dev.finch.soci.ztoc;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A {@link CompressedSource} over a local blob file (positional reads, thread-safe). */
public final class FileCompressedSource implements CompressedSource, AutoCloseable {
  private final Path path;
  private final FileChannel channel;

  public FileCompressedSource(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
  }

  @Override
  public void readFully(long offset, byte[] dst, int off, int len) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(dst, off, len);
    long pos = offset;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, pos);
      if (n < 0) {
        throw new EOFException(
            path
                + ": expected "
                + len
                + " bytes at offset "
                + offset
                + ", got "
                + (pos - offset)
                + " before end of file");
      }
      pos += n;
    }
  }

  @Override
  public long size() throws IOException {
    return channel.size();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
