package dev.finch.testkit.image;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * sha256 digests in OCI form ({@code sha256:<hex>}), and a stream that counts and hashes what
 * passes.
 */
public final class Sha256 {
  private Sha256() {}

  public static String of(byte[] data) {
    return "sha256:" + HexFormat.of().formatHex(md().digest(data));
  }

  static MessageDigest md() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Hashes and counts bytes on their way to {@code out}. */
  static final class HashingStream extends FilterOutputStream {
    private final MessageDigest md = md();
    private long count;

    HashingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      md.update((byte) b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      md.update(b, off, len);
      count += len;
    }

    String digest() {
      return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    long count() {
      return count;
    }
  }
}
