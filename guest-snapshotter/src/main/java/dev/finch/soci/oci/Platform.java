package dev.finch.soci.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * An OCI platform, serialized in Go's field order: architecture, os, os.version, os.features,
 * variant.
 *
 * <pre>{"architecture":"amd64","os":"linux"}</pre>
 *
 * @see <a
 *     href="https://github.com/opencontainers/image-spec/blob/main/image-index.md">image-index.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"architecture", "os", "os.version", "os.features", "variant"})
public record Platform(
    @JsonProperty("architecture") String architecture,
    @JsonProperty("os") String os,
    @JsonProperty("os.version") String osVersion,
    @JsonProperty("os.features") List<String> osFeatures,
    @JsonProperty("variant") String variant) {

  public static Platform of(String os, String architecture, String variant) {
    return new Platform(architecture, os, null, null, variant);
  }

  /** The platform of this JVM's host, normalised as containerd does (amd64, arm64). */
  public static Platform host() {
    String arch =
        switch (System.getProperty("os.arch")) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          case String other -> other;
        };
    return of("linux", arch, null);
  }

  /** Parses {@code os/arch[/variant]}, e.g. {@code linux/arm64/v8}. */
  public static Platform parse(String text) {
    String[] parts = text.split("/");
    if (parts.length < 2 || parts.length > 3 || parts[0].isBlank() || parts[1].isBlank()) {
      throw new IllegalArgumentException(
          "invalid platform \"" + text + "\": expected os/arch[/variant], e.g. linux/amd64");
    }
    String arch =
        parts[1].equals("x86_64") ? "amd64" : parts[1].equals("aarch64") ? "arm64" : parts[1];
    return of(parts[0], arch, parts.length == 3 ? parts[2] : null);
  }

  /**
   * True if an image for {@code other} runs here: same os and arch, and variant if both name one.
   */
  public boolean matches(Platform other) {
    if (other == null) {
      return false;
    }
    if (!os.equals(other.os) || !architecture.equals(other.architecture)) {
      return false;
    }
    String a = normVariant(variant, architecture);
    String b = normVariant(other.variant, other.architecture);
    return a == null || b == null || a.equals(b);
  }

  private static String normVariant(String v, String arch) {
    if ((v == null || v.isEmpty()) && arch.equals("arm64")) {
      return "v8";
    }
    return v == null || v.isEmpty() ? null : v;
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
  }
}
