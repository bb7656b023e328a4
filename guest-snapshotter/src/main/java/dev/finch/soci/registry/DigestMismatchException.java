package dev.finch.soci.registry;

import dev.finch.soci.oci.Digest;

/** Content did not hash to the digest it was fetched by: never trust a blob. */
public final class DigestMismatchException extends RegistryException {
  private final Digest expected;
  private final Digest actual;

  public DigestMismatchException(String action, Digest expected, Digest actual) {
    super(action, action + ": digest mismatch: expected " + expected + ", got " + actual, null);
    this.expected = expected;
    this.actual = actual;
  }

  public Digest expected() {
    return expected;
  }

  public Digest actual() {
    return actual;
  }
}
