/**
 * Span maps ({@link dev.finch.soci.ztoc.compression.Zinfo}): gzip checkpoints built and used
 * through native zlib ({@link dev.finch.soci.ztoc.compression.NativeInflater} over {@link
 * dev.finch.soci.sys.LibZ}), and fixed slices for uncompressed tar layers. It is the lower of the
 * two zTOC packages, so {@link dev.finch.soci.ztoc.compression.ZtocException}, the one error type
 * of zTOC work, lives here: both packages throw it and neither depends back on the other.
 */
package dev.finch.soci.ztoc.compression;
