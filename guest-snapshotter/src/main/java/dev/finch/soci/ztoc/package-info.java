/**
 * zTOC: the per-layer table of contents that makes SOCI lazy loading possible, byte-compatible with
 * awslabs/soci-snapshotter.
 *
 * <ul>
 *   <li>{@link dev.finch.soci.ztoc.ZtocBuilder} builds one from a layer blob in a single streaming
 *       pass ({@code soci create}).
 *   <li>{@link dev.finch.soci.ztoc.ZtocCodec} encodes/decodes the FlatBuffers form whose sha256 is
 *       the zTOC descriptor digest.
 *   <li>{@link dev.finch.soci.ztoc.ZtocFileReader} reads a file through the zTOC, fetching and
 *       verifying only the spans it needs ({@code soci ztoc get-file}, the FUSE filesystem).
 * </ul>
 *
 * @see <a href="https://github.com/awslabs/soci-snapshotter/tree/main/ztoc">reference ztoc</a>
 */
package dev.finch.soci.ztoc;
