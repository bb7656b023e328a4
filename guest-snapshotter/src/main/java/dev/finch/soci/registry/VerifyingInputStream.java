package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes a blob while it streams and, at end of stream, throws {@link DigestMismatchException} when
 * the bytes do not match the digest they were fetched by. Callers see every byte only once, so a
 * bad blob is caught without a second pass.
 */
final class VerifyingInputStream extends FilterInputStream {
  private final String action;
  private final Digest expected;
  private final MessageDigest md = Digest.newSha256();
  private boolean checked;

  VerifyingInputStream(InputStream in, Digest expected, String action) {
    super(in);
    if (!expected.algorithm().equals("sha256")) {
      throw new RegistryException.UnexpectedResponse(
          action, 0, "unsupported digest algorithm " + expected.algorithm());
    }
    this.expected = expected;
    this.action = action;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) {
      verify();
    } else {
      md.update((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    if (n < 0) {
      verify();
    } else {
      md.update(buf, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] sink = new byte[8192];
    long done = 0;
    while (done < n) {
      int r = read(sink, 0, (int) Math.min(sink.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void verify() {
    if (checked) {
      return;
    }
    checked = true;
    Digest actual = Digest.fromSha256(md.digest());
    if (!actual.equals(expected)) {
      throw new DigestMismatchException(action, expected, actual);
    }
  }
}
