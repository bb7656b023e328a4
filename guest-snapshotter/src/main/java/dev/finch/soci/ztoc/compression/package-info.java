/**
 * Span maps ({@link dev.finch.soci.ztoc.compression.Zinfo}): gzip checkpoints built and used
 * through native zlib ({@link dev.finch.soci.ztoc.compression.NativeInflater}, FFM), and fixed
 * slices for uncompressed tar layers.
 */
package dev.finch.soci.ztoc.compression;
