package dev.finch.soci.oci;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image spec writes it: {@code algorithm:hex}. Only sha256 is produced;
 * sha256 and sha512 are accepted when parsing.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests">OCI
 *     digests</a>
 */
public record Digest(String algorithm, String hex) {
  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  public Digest {
    boolean ok =
        switch (algorithm) {
          case "sha256" -> SHA256.matcher(hex).matches();
          case "sha512" -> SHA512.matcher(hex).matches();
          default -> false;
        };
    if (!ok) {
      throw new IllegalArgumentException("invalid digest: " + Json.oneLine(algorithm + ":" + hex));
    }
  }

  /** Parses {@code sha256:<64 hex>}; throws IllegalArgumentException with the offending text. */
  @JsonCreator
  public static Digest parse(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid digest: " + Json.oneLine(text));
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /** True if {@code text} is a well-formed digest. */
  public static boolean isDigest(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static Digest sha256(byte[] data) {
    return fromSha256(newSha256().digest(data));
  }

  public static Digest fromSha256(byte[] sum) {
    return new Digest("sha256", HexFormat.of().formatHex(sum));
  }

  /**
   * A SHA-256 digest: libcrypto's through FFM where it loads ({@link NativeSha256}), else the
   * JDK's.
   */
  public static MessageDigest newSha256() {
    return NativeSha256.create();
  }

  /** The JDK's SHA-256. */
  static MessageDigest jdkSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The form used in blob paths and the referrers fallback tag: {@code sha256-<hex>}. */
  public String tagForm() {
    return algorithm + "-" + hex;
  }

  public String shortHex() {
    return hex.substring(0, 12);
  }

  @JsonValue
  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
