package dev.finch.soci.oci;

import java.util.regex.Pattern;

/**
 * A parsed image reference, normalised as containerd and docker do: {@code alpine} is {@code
 * docker.io/library/alpine:latest}. A reference may carry a tag, a digest, or both.
 */
public record ImageRef(String registry, String repository, String tag, Digest digest) {
  private static final Pattern REPO =
      Pattern.compile(
          "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

  public static final String DOCKER_HUB = "docker.io";

  /** Parses a reference; throws IllegalArgumentException naming the reference and what is wrong. */
  public static ImageRef parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("invalid image reference: empty");
    }
    String rest = text;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid image reference \"" + text + "\": bad digest");
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int slash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > slash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException(
            "invalid image reference \"" + text + "\": bad tag \"" + tag + "\"");
      }
    }
    String registry;
    String repo;
    int first = rest.indexOf('/');
    String head = first < 0 ? "" : rest.substring(0, first);
    if (first >= 0 && (head.contains(".") || head.contains(":") || head.equals("localhost"))) {
      registry = head;
      repo = rest.substring(first + 1);
    } else {
      registry = DOCKER_HUB;
      repo = first < 0 ? "library/" + rest : rest;
    }
    if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (!REPO.matcher(repo).matches()) {
      throw new IllegalArgumentException(
          "invalid image reference \""
              + text
              + "\": repository name must be lowercase letters, digits and separators");
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageRef(registry, repo, tag, digest);
  }

  public ImageRef withDigest(Digest d) {
    return new ImageRef(registry, repository, tag, d);
  }

  public ImageRef withTag(String t) {
    return new ImageRef(registry, repository, t, null);
  }

  /**
   * The tag, or the digest when there is no tag: what goes in {@code
   * /v2/<repo>/manifests/<reference>}.
   */
  public String reference() {
    return digest != null ? digest.toString() : tag;
  }

  /** The host to connect to: docker.io is served from registry-1.docker.io. */
  public String endpointHost() {
    return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
  }

  /** The canonical name containerd stores images under, e.g. docker.io/library/alpine:latest. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(registry).append('/').append(repository);
    if (tag != null) {
      sb.append(':').append(tag);
    }
    if (digest != null) {
      sb.append('@').append(digest);
    }
    return sb.toString();
  }
}
