package dev.finch.testkit.image;

/** A blob written to an OCI layout: what a descriptor says about it. */
public record OciBlob(String mediaType, String digest, long size) {
  /** The hex part of the digest, i.e. the file name under {@code blobs/sha256/}. */
  public String hex() {
    return digest.substring(digest.indexOf(':') + 1);
  }
}
