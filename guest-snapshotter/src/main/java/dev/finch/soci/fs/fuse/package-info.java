/**
 * Serves a {@link dev.finch.soci.fs.LayerTree} through the kernel's FUSE interface: {@link
 * dev.finch.soci.fs.fuse.LayerMount} is the entry point, {@code FuseOps} answers each low-level
 * operation with soci's semantics. The libfuse3 and libc calls themselves are bindings in {@link
 * dev.finch.soci.sys}; this package holds what the file system decides, and no FFM linking.
 */
package dev.finch.soci.fs.fuse;
