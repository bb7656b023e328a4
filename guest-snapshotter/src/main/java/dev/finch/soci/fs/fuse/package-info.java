/**
 * Serves a {@link dev.finch.soci.fs.LayerTree} through the kernel's FUSE interface, using libfuse3's
 * low-level API bound with the FFM API ({@code java.lang.foreign}); {@link dev.finch.soci.fs.fuse.LayerMount}
 * is the entry point. This is the only package that touches native code; the JVM must run with
 * {@code --enable-native-access=ALL-UNNAMED} (or the module name once modularised).
 *
 * @see <a href="https://libfuse.github.io/doxygen/fuse__lowlevel_8h.html">fuse_lowlevel.h</a>
 */
package dev.finch.soci.fs.fuse;
