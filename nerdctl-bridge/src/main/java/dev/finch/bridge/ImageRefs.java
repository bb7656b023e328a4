package dev.finch.bridge;

/**
 * Docker-style short image names made explicit ({@code alpine} is {@code
 * docker.io/library/alpine:latest}); ctr and soci, unlike nerdctl, need the full form.
 */
public final class ImageRefs {
  private ImageRefs() {}

  /** The fully qualified form of {@code ref}: registry, repository path and tag or digest. */
  public static String normalize(String ref) {
    String name = ref;
    String digest = "";
    int at = ref.indexOf('@');
    if (at >= 0) {
      digest = ref.substring(at);
      name = ref.substring(0, at);
    }
    int slash = name.indexOf('/');
    String first = slash < 0 ? "" : name.substring(0, slash);
    boolean domain =
        slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
    if (!domain) {
      name = "docker.io/" + (slash < 0 ? "library/" : "") + name;
    }
    if (name.indexOf(':', name.lastIndexOf('/')) < 0 && digest.isEmpty()) {
      name += ":latest";
    }
    return name + digest;
  }
}
