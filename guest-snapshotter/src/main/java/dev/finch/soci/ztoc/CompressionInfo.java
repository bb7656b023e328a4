package dev.finch.soci.ztoc;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;

/**
 * How the layer is cut into independently decompressible spans.
 *
 * @param algorithm {@link Compression#GZIP} or {@link Compression#UNCOMPRESSED}
 * @param maxSpanId number of spans minus one
 * @param spanDigests sha256 of each span's compressed bytes, checked before inflating a span
 * @param checkpointData the gzip zinfo blob or the TarZinfo FlatBuffer, kept verbatim so that the
 *     zTOC re-encodes to the same bytes (v1 blobs stay v1). It can be megabytes, so it is not
 *     copied on the way in: an array taken over, a slice of the decoded zTOC, or of a memory-mapped
 *     zTOC file (the daemon's, whose windows then stay on disk until a span needs one); {@link
 *     #checkpoints()} hands out copies
 */
public record CompressionInfo(
    Compression algorithm, int maxSpanId, List<Digest> spanDigests, MemorySegment checkpointData) {
  public CompressionInfo {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(checkpointData, "checkpointData");
    spanDigests = List.copyOf(spanDigests);
  }

  /** With the checkpoint bytes in {@code checkpoints}, taken over. */
  public CompressionInfo(
      Compression algorithm, int maxSpanId, List<Digest> spanDigests, byte[] checkpoints) {
    this(algorithm, maxSpanId, spanDigests, MemorySegment.ofArray(checkpoints));
  }

  /**
   * The span map these checkpoints describe; parses the record's own bytes, without the copy that
   * {@link #checkpoints()} makes (a zTOC of a large layer carries megabytes of them).
   */
  public dev.finch.soci.ztoc.compression.Zinfo zinfo() throws ZtocException {
    return dev.finch.soci.ztoc.compression.Zinfo.of(algorithm, checkpointData);
  }

  /** A copy of the checkpoint bytes. */
  public byte[] checkpoints() {
    return checkpointData.toArray(ValueLayout.JAVA_BYTE);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CompressionInfo c
        && algorithm == c.algorithm
        && maxSpanId == c.maxSpanId
        && spanDigests.equals(c.spanDigests)
        && checkpointData.byteSize() == c.checkpointData.byteSize()
        && checkpointData.mismatch(c.checkpointData) == -1;
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, maxSpanId, spanDigests, checkpointData.byteSize());
  }

  @Override
  public String toString() {
    return "CompressionInfo[algorithm="
        + algorithm
        + ", maxSpanId="
        + maxSpanId
        + ", spanDigests="
        + spanDigests.size()
        + ", checkpoints="
        + checkpointData.byteSize()
        + " bytes]";
  }
}
