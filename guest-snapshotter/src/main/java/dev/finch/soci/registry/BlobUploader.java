package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;

/**
 * Pushes blobs: monolithic ({@code POST} then {@code PUT ?digest=} with the body) for small blobs,
 * or chunked ({@code POST}, {@code PATCH} per chunk with Content-Range, then an empty {@code PUT
 * ?digest=}) for large blobs and streams of unknown size. The digest is checked locally before the
 * upload is committed.
 */
final class BlobUploader {
  private final EndpointCaller caller;
  private final int chunkSize;
  private final long monolithicLimit;

  BlobUploader(EndpointCaller caller, int chunkSize, long monolithicLimit) {
    this.caller = caller;
    this.chunkSize = chunkSize;
    this.monolithicLimit = monolithicLimit;
  }

  void upload(String repository, Digest digest, byte[] data) {
    if (data.length > monolithicLimit) {
      uploadChunked(repository, digest, new java.io.ByteArrayInputStream(data));
      return;
    }
    Digest actual = Digest.sha256(data);
    if (!actual.equals(digest)) {
      throw new DigestMismatchException(action(repository, digest), digest, actual);
    }
    URI location = caller.call(new UploadStart(caller.registry(), repository, digest));
    caller.call(new UploadFinish(caller.registry(), repository, digest, location, data));
  }

  void upload(String repository, Digest digest, long size, InputStream in) throws IOException {
    if (size >= 0 && size <= monolithicLimit) {
      byte[] data = in.readNBytes(Math.toIntExact(size));
      if (data.length != size) {
        throw new IOException(
            "blob " + digest + ": expected " + size + " bytes, stream had " + data.length);
      }
      upload(repository, digest, data);
      return;
    }
    uploadChunked(repository, digest, in);
  }

  private void uploadChunked(String repository, Digest digest, InputStream in) {
    String registry = caller.registry();
    MessageDigest md = Digest.newSha256();
    URI location = caller.call(new UploadStart(registry, repository, digest));
    byte[] buf = new byte[chunkSize];
    long offset = 0;
    while (true) {
      int n;
      try {
        n = in.readNBytes(buf, 0, buf.length);
      } catch (IOException e) {
        throw new RegistryException.UnexpectedResponse(
            action(repository, digest), 0, "reading local content: " + e.getMessage());
      }
      if (n == 0) {
        break;
      }
      md.update(buf, 0, n);
      location =
          caller.call(new UploadChunk(registry, repository, digest, location, offset, buf, n));
      offset += n;
      if (n < buf.length) {
        break;
      }
    }
    Digest actual = Digest.fromSha256(md.digest());
    if (!actual.equals(digest)) {
      throw new DigestMismatchException(action(repository, digest), digest, actual);
    }
    caller.call(new UploadFinish(registry, repository, digest, location, null));
  }

  private String action(String repository, Digest digest) {
    return "push blob " + V2.name(caller.registry(), repository, digest.toString());
  }
}
