package dev.finch.soci.fs;

/**
 * Which xattr marks an opaque directory to overlayfs. soci reports {@code trusted.overlay.opaque}
 * unless the snapshotter root needs overlayfs' {@code userxattr} mount option (rootless), then the
 * {@code user.} variant.
 */
public enum OpaqueXattr {
  /** {@code trusted.overlay.opaque}: overlayfs mounted by real root (the default). */
  TRUSTED("trusted.overlay.opaque"),
  /** {@code user.overlay.opaque}: overlayfs mounted with {@code -o userxattr}. */
  USER("user.overlay.opaque");

  /** Value the xattr has on an opaque directory. */
  public static final String OPAQUE_VALUE = "y";

  private final String xattrName;

  OpaqueXattr(String xattrName) {
    this.xattrName = xattrName;
  }

  /** The xattr name, e.g. {@code trusted.overlay.opaque}. */
  public String xattrName() {
    return xattrName;
  }
}
