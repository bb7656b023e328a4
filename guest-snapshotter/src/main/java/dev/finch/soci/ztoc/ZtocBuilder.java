package dev.finch.soci.ztoc;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.compression.GzipIndexer;
import dev.finch.soci.ztoc.compression.TarZinfo;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the zTOC of one layer blob in a single streaming pass, as {@code soci create} does: the
 * same inflate loop records gzip checkpoints, feeds the tar TOC parser and hashes each span's
 * compressed bytes, so memory is bounded and the uncompressed layer is never stored.
 *
 * <p>Example: {@code new ZtocBuilder(ZtocBuilder.DEFAULT_SPAN_SIZE).build(in, GZIP, layerDigest)}.
 * The layer digest is verified against the bytes read (a blob is never trusted). zstd layers raise
 * {@link UnsupportedLayerException} with {@link UnsupportedLayerException#ZSTD_SKIPPED}, which
 * callers print and skip, like the reference.
 */
public final class ZtocBuilder {
  /** soci's default span size, 4 MiB. */
  public static final long DEFAULT_SPAN_SIZE = 1L << 22;

  private static final int CHUNK = 1 << 18;

  /**
   * A built zTOC.
   *
   * @param ztoc the domain form
   * @param encoded the FlatBuffers bytes to push
   * @param digest sha256 of {@code encoded}, the zTOC descriptor digest
   * @param size length of {@code encoded}
   */
  public record Result(Ztoc ztoc, byte[] encoded, Digest digest, long size) {}

  private final long spanSize;
  private final String buildToolIdentifier;
  private final boolean fileCheckpoints;

  public ZtocBuilder(long spanSize) {
    this(spanSize, Ztoc.BUILD_TOOL_IDENTIFIER);
  }

  public ZtocBuilder(long spanSize, String buildToolIdentifier) {
    this(spanSize, buildToolIdentifier, false);
  }

  private ZtocBuilder(long spanSize, String buildToolIdentifier, boolean fileCheckpoints) {
    if (spanSize <= 0) {
      throw new IllegalArgumentException("span size must be positive, got " + spanSize);
    }
    this.spanSize = spanSize;
    this.buildToolIdentifier = buildToolIdentifier;
    this.fileCheckpoints = fileCheckpoints;
  }

  /**
   * A builder that also puts gzip checkpoints at file starts where they pay for themselves (see
   * {@link GzipIndexer#index(InputStream, long, GzipIndexer.UncompressedSink, String,
   * GzipIndexer.EntryHint)}), naming {@link Ztoc#BUILD_TOOL_IDENTIFIER_FILE_CHECKPOINTS} as the
   * producer.
   */
  public static ZtocBuilder withFileCheckpoints(long spanSize) {
    return new ZtocBuilder(spanSize, Ztoc.BUILD_TOOL_IDENTIFIER_FILE_CHECKPOINTS, true);
  }

  /**
   * Reads {@code blob} to its end and builds the zTOC.
   *
   * @param compression the layer's compression from its media type; UNKNOWN is built as
   *     uncompressed, as the reference does
   * @param layerDigest the expected blob digest; used in messages and verified (null: a local file
   *     whose digest is not known in advance, named "layer" in messages)
   */
  public Result build(InputStream blob, Compression compression, Digest layerDigest)
      throws IOException {
    String label = layerDigest == null ? "layer" : "layer " + layerDigest;
    Ztoc ztoc =
        switch (compression) {
          case GZIP -> buildGzip(blob, label, layerDigest);
          case UNCOMPRESSED, UNKNOWN -> buildTar(blob, label, layerDigest);
          case ZSTD -> throw new UnsupportedLayerException(UnsupportedLayerException.ZSTD_SKIPPED);
        };
    byte[] encoded = ZtocCodec.encode(ztoc);
    return new Result(ztoc, encoded, Digest.sha256(encoded), encoded.length);
  }

  private Ztoc buildGzip(InputStream blob, String label, Digest expected) throws IOException {
    TarTocParser parser = new TarTocParser(label);
    GzipIndexer.Result r =
        GzipIndexer.index(blob, spanSize, parser, label, fileCheckpoints ? parser : null);
    verify(label, expected, r.blobDigest());
    List<FileMetadata> toc = parser.finish();
    CompressionInfo info =
        new CompressionInfo(
            Compression.GZIP, r.zinfo().maxSpanId(), r.spanDigests(), r.zinfo().toBytes());
    return new Ztoc(
        Ztoc.VERSION_09, buildToolIdentifier, r.compressedSize(), parser.archiveSize(), toc, info);
  }

  private Ztoc buildTar(InputStream blob, String label, Digest expected) throws IOException {
    TarTocParser parser = new TarTocParser(label);
    MessageDigest whole = Digest.newSha256();
    MessageDigest span = Digest.newSha256();
    List<Digest> digests = new ArrayList<>();
    byte[] buf = new byte[CHUNK];
    long size = 0;
    long inSpan = 0;
    int n;
    while ((n = blob.readNBytes(buf, 0, CHUNK)) > 0) {
      whole.update(buf, 0, n);
      parser.accept(buf, 0, n);
      int p = 0;
      while (p < n) {
        int take = (int) Math.min(n - p, spanSize - inSpan);
        span.update(buf, p, take);
        p += take;
        inSpan += take;
        if (inSpan == spanSize) {
          digests.add(Digest.fromSha256(span.digest()));
          inSpan = 0;
        }
      }
      size += n;
    }
    if (inSpan > 0) {
      digests.add(Digest.fromSha256(span.digest()));
    }
    verify(label, expected, Digest.fromSha256(whole.digest()));
    List<FileMetadata> toc = parser.finish();
    TarZinfo zinfo = new TarZinfo(spanSize, size);
    CompressionInfo info =
        new CompressionInfo(Compression.UNCOMPRESSED, zinfo.maxSpanId(), digests, zinfo.toBytes());
    return new Ztoc(Ztoc.VERSION_09, buildToolIdentifier, size, parser.archiveSize(), toc, info);
  }

  private static void verify(String label, Digest expected, Digest actual) throws ZtocException {
    if (expected != null && !expected.equals(actual)) {
      throw new ZtocException(
          label + ": blob digest mismatch: expected " + expected + ", got " + actual);
    }
  }
}
