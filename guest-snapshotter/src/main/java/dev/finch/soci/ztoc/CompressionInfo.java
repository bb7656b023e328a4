package dev.finch.soci.ztoc;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How the layer is cut into independently decompressible spans.
 *
 * @param algorithm {@link Compression#GZIP} or {@link Compression#UNCOMPRESSED}
 * @param maxSpanId number of spans minus one
 * @param spanDigests sha256 of each span's compressed bytes, checked before inflating a span
 * @param checkpoints the gzip zinfo blob or the TarZinfo FlatBuffer, kept verbatim so that the
 *     zTOC re-encodes to the same bytes (v1 blobs stay v1); the record takes the array over (it can
 *     be megabytes, so it is not copied on the way in), and {@link #checkpoints()} hands out copies
 */
public record CompressionInfo(
    Compression algorithm, int maxSpanId, List<Digest> spanDigests, byte[] checkpoints) {
  public CompressionInfo {
    Objects.requireNonNull(algorithm, "algorithm");
    spanDigests = List.copyOf(spanDigests);
  }

  /**
   * The span map these checkpoints describe; parses the record's own bytes, without the copy that
   * {@link #checkpoints()} makes (a zTOC of a large layer carries megabytes of them).
   */
  public dev.finch.soci.ztoc.compression.Zinfo zinfo() throws ZtocException {
    return dev.finch.soci.ztoc.compression.Zinfo.of(algorithm, checkpoints);
  }

  /** A copy of the checkpoint bytes. */
  @Override
  public byte[] checkpoints() {
    return checkpoints.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CompressionInfo c
        && algorithm == c.algorithm
        && maxSpanId == c.maxSpanId
        && spanDigests.equals(c.spanDigests)
        && Arrays.equals(checkpoints, c.checkpoints);
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, maxSpanId, spanDigests, Arrays.hashCode(checkpoints));
  }

  @Override
  public String toString() {
    return "CompressionInfo[algorithm=" + algorithm + ", maxSpanId=" + maxSpanId
        + ", spanDigests=" + spanDigests.size() + ", checkpoints=" + checkpoints.length + " bytes]";
  }
}
