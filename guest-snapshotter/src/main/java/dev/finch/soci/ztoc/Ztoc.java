package dev.finch.soci.ztoc;

import java.util.List;
import java.util.Objects;

/**
 * A decoded zTOC: the table of contents of one layer plus what is needed to decompress any span of
 * it independently. This is the domain form; {@link ZtocCodec} converts it to and from the exact
 * FlatBuffers bytes the reference soci-snapshotter writes.
 *
 * @param version format version, always {@link #VERSION_09} when built here
 * @param buildToolIdentifier free text naming the producer, {@link #BUILD_TOOL_IDENTIFIER} here
 * @param compressedArchiveSize size of the layer blob in bytes
 * @param uncompressedArchiveSize bytes a Go {@code tar.Reader} consumed up to end of archive
 * @param toc one entry per tar header in tar order (decoded: sorted by uncompressed offset)
 * @param compressionInfo spans, their digests and the checkpoint blob
 * @see <a
 *     href="https://github.com/awslabs/soci-snapshotter/blob/main/ztoc/fbs/ztoc.fbs">ztoc.fbs</a>
 */
public record Ztoc(
    String version,
    String buildToolIdentifier,
    long compressedArchiveSize,
    long uncompressedArchiveSize,
    List<FileMetadata> toc,
    CompressionInfo compressionInfo) {
  /** The only zTOC version that exists. */
  public static final String VERSION_09 = "0.9";

  /** What {@code soci create} v0.4+ writes; digests of built zTOCs depend on it. */
  public static final String BUILD_TOOL_IDENTIFIER = "AWS SOCI CLI v0.2";

  /**
   * What zTOCs with checkpoints at file starts ({@code soci create --file-checkpoints}) name as
   * their producer, so that index creation never reuses one for an index without them, or the other
   * way round.
   */
  public static final String BUILD_TOOL_IDENTIFIER_FILE_CHECKPOINTS =
      BUILD_TOOL_IDENTIFIER + " (finch: checkpoints at file starts)";

  public Ztoc {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(buildToolIdentifier, "buildToolIdentifier");
    toc = List.copyOf(toc);
    Objects.requireNonNull(compressionInfo, "compressionInfo");
  }
}
