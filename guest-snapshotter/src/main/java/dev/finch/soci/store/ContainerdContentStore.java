package dev.finch.soci.store;

import dev.finch.soci.containerd.ContainerdException;
import dev.finch.soci.containerd.ContentInfo;
import dev.finch.soci.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;

/**
 * {@link ContentStore} over containerd's content store (the reference CLI's default since v0.10):
 * zTOCs and indexes live next to the image's blobs and are kept alive by containerd's GC labels.
 * Callers write under a lease so nothing is collected between a zTOC write and its index.
 */
public final class ContainerdContentStore implements ContentStore {
  private final dev.finch.soci.containerd.ContentClient content;

  public ContainerdContentStore(dev.finch.soci.containerd.ContentClient content) {
    this.content = content;
  }

  @Override
  public boolean exists(Digest digest) {
    return content.find(digest).isPresent();
  }

  @Override
  public long size(Digest digest) throws IOException {
    return content
        .find(digest)
        .map(ContentInfo::size)
        .orElseThrow(() -> new NoSuchFileException(digest.toString()));
  }

  @Override
  public InputStream open(Digest digest) throws IOException {
    try {
      return content.readBlob(digest);
    } catch (ContainerdException e) {
      throw notFoundOr(digest, e);
    }
  }

  @Override
  public void readAt(Digest digest, long offset, byte[] dst, int off, int len) throws IOException {
    try {
      byte[] b = content.readAt(digest, offset, len);
      if (b.length != len) {
        throw new IOException(
            digest
                + ": short read at offset "
                + offset
                + ": expected "
                + len
                + " bytes, got "
                + b.length);
      }
      System.arraycopy(b, 0, dst, off, len);
    } catch (ContainerdException e) {
      throw notFoundOr(digest, e);
    }
  }

  @Override
  public byte[] readAll(Digest digest) throws IOException {
    try {
      return content.readAll(digest);
    } catch (ContainerdException e) {
      throw notFoundOr(digest, e);
    }
  }

  @Override
  public void write(Digest digest, byte[] data, Map<String, String> labels) {
    content.writeBlob("soci-" + digest.hex(), digest, data, labels);
  }

  @Override
  public void addLabels(Digest digest, Map<String, String> labels) {
    content.updateLabels(digest, labels);
  }

  @Override
  public void delete(Digest digest) throws IOException {
    try {
      content.delete(digest);
    } catch (ContainerdException e) {
      if (e.kind() != ContainerdException.Kind.NOT_FOUND) {
        throw e;
      }
    }
  }

  @Override
  public List<Digest> list() {
    return content.list().stream().map(ContentInfo::digest).toList();
  }

  private static IOException notFoundOr(Digest digest, ContainerdException e) {
    if (e.kind() == ContainerdException.Kind.NOT_FOUND) {
      return new NoSuchFileException(digest.toString());
    }
    return new IOException(e.getMessage(), e);
  }
}
