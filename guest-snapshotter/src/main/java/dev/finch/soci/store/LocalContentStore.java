package dev.finch.soci.store;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.util.DurableFiles;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A content store kept as an OCI image layout ({@code blobs/<alg>/<hex>} plus {@code oci-layout}),
 * the reference's {@code soci} content store. A blob is written under a temporary name of its own
 * (two writers of one digest never share one) and published through {@link DurableFiles}, so a
 * crash never leaves a partial blob under its digest and a written blob survives one.
 */
public final class LocalContentStore implements ContentStore {
  private final Path root;

  public LocalContentStore(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path blobPath(Digest d) {
    return root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
  }

  @Override
  public boolean exists(Digest digest) {
    return Files.isRegularFile(blobPath(digest));
  }

  @Override
  public long size(Digest digest) throws IOException {
    try {
      return Files.size(blobPath(digest));
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(digest.toString());
    }
  }

  @Override
  public InputStream open(Digest digest) throws IOException {
    try {
      return Files.newInputStream(blobPath(digest));
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(digest.toString());
    }
  }

  @Override
  public void readAt(Digest digest, long offset, byte[] dst, int off, int len) throws IOException {
    try (FileChannel ch = FileChannel.open(blobPath(digest), StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.wrap(dst, off, len);
      long pos = offset;
      while (buf.hasRemaining()) {
        int n = ch.read(buf, pos);
        if (n < 0) {
          throw new EOFException(digest + ": read past end at offset " + pos);
        }
        pos += n;
      }
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(digest.toString());
    }
  }

  @Override
  public void write(Digest digest, byte[] data, Map<String, String> labels) throws IOException {
    Digest actual = Digest.sha256(data);
    if (!actual.equals(digest)) {
      throw new IOException("content digest mismatch: expected " + digest + ", got " + actual);
    }
    Path target = blobPath(digest);
    if (Files.isRegularFile(target) && Files.size(target) == data.length) {
      return;
    }
    ensureLayout();
    Files.createDirectories(target.getParent());
    writeDurably(target, data);
  }

  private static void writeDurably(Path target, byte[] data) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "");
    try {
      Files.write(tmp, data);
      DurableFiles.publish(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public void addLabels(Digest digest, Map<String, String> labels) {
    // An OCI layout has no labels; artifacts.json records what the labels would say.
  }

  @Override
  public void delete(Digest digest) throws IOException {
    Files.deleteIfExists(blobPath(digest));
  }

  @Override
  public List<Digest> list() throws IOException {
    List<Digest> out = new ArrayList<>();
    Path dir = root.resolve("blobs").resolve("sha256");
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (Digest.isDigest("sha256:" + name)) {
          out.add(new Digest("sha256", name));
        }
      }
    }
    return out;
  }

  private void ensureLayout() throws IOException {
    Path marker = root.resolve("oci-layout");
    if (!Files.exists(marker)) {
      Files.createDirectories(root);
      writeDurably(marker, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
    }
  }
}
