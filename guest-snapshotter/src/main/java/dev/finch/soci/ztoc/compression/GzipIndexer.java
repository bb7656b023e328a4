package dev.finch.soci.ztoc.compression;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.sys.LibZ;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the gzip checkpoint index, the span digests and the blob digest in one streaming pass,
 * handing every uncompressed byte to a {@link UncompressedSink} (the tar TOC parser) on the way.
 * Memory stays bounded (one input chunk, one output buffer, one window per checkpoint) whatever the
 * layer size.
 *
 * <p>Checkpoint rule, as soci's {@code generate_zinfo_from_fp}: after every {@code
 * inflate(Z_BLOCK)} call, if {@code data_type} says "block boundary" and not "after the last
 * block", and either nothing was output yet or more than {@code spanSize} bytes were output since
 * the last checkpoint, record {@code {totin, totout, data_type & 7, last 32 KiB of output}}.
 * Concatenated gzip members are followed by resetting the inflater; offsets keep counting across
 * members.
 */
public final class GzipIndexer {
  /** Receives uncompressed bytes in order; the segment is only valid during the call. */
  @FunctionalInterface
  public interface UncompressedSink {
    void accept(MemorySegment segment, long offset, int length) throws IOException;
  }

  /**
   * Where the tar parser is in the uncompressed stream, for checkpoints at file starts ({@link
   * #index(InputStream, long, UncompressedSink, String, EntryHint)}).
   */
  public interface EntryHint {
    /**
     * The tar offset of the next entry's first header while the output is inside an entry's data
     * (or its padding), else -1.
     */
    long nextEntryAt();

    /** The data size of the entry whose bytes are being passed, else 0. */
    long currentEntrySize();
  }

  /**
   * A checkpoint at a file start lies at most this many tar bytes before the file's first header
   * (the last block boundary before it may be further back: then there is none).
   */
  static final long FILE_NEAR = 64 << 10;

  /**
   * ... and at least this far after the checkpoint before it: a window (32 KiB of zTOC) must buy
   * more than it costs.
   */
  static final long FILE_FAR = 4L * GzipCheckpoint.WINDOW_SIZE;

  /**
   * The outcome of one pass.
   *
   * @param zinfo the checkpoints (v2)
   * @param spanDigests sha256 of each span's compressed bytes
   * @param compressedSize bytes read from the blob
   * @param uncompressedSize bytes inflated
   * @param blobDigest sha256 of the whole blob
   */
  public record Result(
      GzipZinfo zinfo,
      List<Digest> spanDigests,
      long compressedSize,
      long uncompressedSize,
      Digest blobDigest) {}

  private static final int IN_CHUNK = 1 << 18;
  private static final int OUT_CHUNK = 1 << 18;
  private static final int WINDOW = GzipCheckpoint.WINDOW_SIZE;
  private static final int DATA_TYPE_BITS = 7;
  private static final int DATA_TYPE_LAST_BLOCK = 64;
  private static final int DATA_TYPE_BLOCK_BOUNDARY = 128;

  private GzipIndexer() {}

  /**
   * Reads the whole gzip blob from {@code in}.
   *
   * @param label how errors name the layer, e.g. {@code layer sha256:ab..}
   */
  public static Result index(InputStream in, long spanSize, UncompressedSink sink, String label)
      throws IOException {
    return index(in, spanSize, sink, label, IN_CHUNK, null);
  }

  /**
   * As {@link #index(InputStream, long, UncompressedSink, String)}, with checkpoints at file starts
   * too (our {@code soci create --file-checkpoints}): at a block boundary that is not a span's, one
   * is recorded when the next entry's header starts at most {@link #FILE_NEAR} bytes ahead, the
   * entry being passed holds at least half a span of data, and the last checkpoint is at least
   * {@link #FILE_FAR} bytes back. The checkpoints the layer would have without them all stay, so
   * every span is part of one it would have had: no read fetches more than it would without. So a
   * small file after a big one is read without the big one's tail; where small files are packed
   * together, nothing changes. The result is an ordinary zinfo with more checkpoints, which any
   * SOCI reader uses as it is.
   */
  public static Result index(
      InputStream in, long spanSize, UncompressedSink sink, String label, EntryHint hint)
      throws IOException {
    return index(in, spanSize, sink, label, IN_CHUNK, hint);
  }

  /** As {@link #index(InputStream, long, UncompressedSink, String)} with a given read size. */
  static Result index(
      InputStream in,
      long spanSize,
      UncompressedSink sink,
      String label,
      int readSize,
      EntryHint hint)
      throws IOException {
    if (readSize <= 0 || readSize > IN_CHUNK) {
      throw new IllegalArgumentException("read size must be 1.." + IN_CHUNK + ", got " + readSize);
    }
    if (spanSize <= 0) {
      throw new IllegalArgumentException("span size must be positive, got " + spanSize);
    }
    try (NativeInflater z = new NativeInflater(LibZ.WINDOW_BITS_AUTO)) {
      try (Pass pass = new Pass(z, in, spanSize, sink, label, readSize, hint)) {
        return pass.run();
      }
    }
  }

  private static final class Pass implements AutoCloseable {
    private final NativeInflater z;
    private final InputStream in;
    private final long spanSize;
    private final UncompressedSink sink;
    private final String label;
    private final int readSize;
    private final byte[] inHeap = new byte[IN_CHUNK];
    private final MemorySegment inSeg;

    /** {@code [0, WINDOW)} holds the 32 KiB before {@code [WINDOW, end)}, the output area. */
    private final MemorySegment outSeg;

    private final HashPipeline hashes = new HashPipeline();
    private final List<GzipCheckpoint> checkpoints = new ArrayList<>();
    private long totin;
    private long totout;
    private long last;
    private long read;
    private int writePos = WINDOW;
    private int chunkFill;
    private boolean streamEnded;
    private final EntryHint hint;
    private long lastFileTarget = -1;
    private long lastAny; // the last checkpoint of either kind

    Pass(
        NativeInflater z,
        InputStream in,
        long spanSize,
        UncompressedSink sink,
        String label,
        int readSize,
        EntryHint hint) {
      this.hint = hint;
      this.z = z;
      this.readSize = readSize;
      this.in = in;
      this.spanSize = spanSize;
      this.sink = sink;
      this.label = label;
      this.inSeg = z.arena().allocate(IN_CHUNK, 64);
      this.outSeg = z.arena().allocate(WINDOW + OUT_CHUNK, 64);
      outSeg.asSlice(0, WINDOW).fill((byte) 0);
    }

    @Override
    public void close() {
      hashes.close();
    }

    Result run() throws IOException {
      z.setInput(inSeg, 0, 0);
      z.setOutput(outSeg, writePos, WINDOW + OUT_CHUNK - writePos);
      while (true) {
        if (z.availIn() == 0 && !refill()) {
          break;
        }
        if (streamEnded) {
          streamEnded = false;
          int avail = z.availIn();
          z.reset(LibZ.WINDOW_BITS_AUTO);
          z.setInput(inSeg, chunkFill - avail, avail);
        }
        step();
      }
      if (!streamEnded) {
        throw new ZtocException(label + ": gzip stream truncated at compressed offset " + read);
      }
      if (checkpoints.isEmpty()) {
        throw new ZtocException(label + ": gzip stream has no deflate blocks");
      }
      HashPipeline.Digests d = hashes.finish();
      return new Result(
          new GzipZinfo(spanSize, checkpoints, GzipZinfo.VERSION_TWO),
          d.spans(),
          read,
          totout,
          d.blob());
    }

    /** Reads the next chunk; false at end of blob. */
    private boolean refill() throws IOException {
      int n = in.readNBytes(inHeap, 0, readSize);
      if (n <= 0) {
        return false;
      }
      hashes.chunk(inHeap, n, read);
      read += n;
      chunkFill = n;
      MemorySegment.copy(inHeap, 0, inSeg, ValueLayout.JAVA_BYTE, 0, n);
      z.setInput(inSeg, 0, n);
      return true;
    }

    private void step() throws IOException {
      if (z.availOut() == 0) {
        MemorySegment.copy(outSeg, writePos - WINDOW, outSeg, 0, WINDOW);
        writePos = WINDOW;
        z.setOutput(outSeg, writePos, OUT_CHUNK);
      }
      int availIn = z.availIn();
      int availOut = z.availOut();
      int ret = z.inflate(LibZ.Z_BLOCK);
      int produced = availOut - z.availOut();
      totin += availIn - z.availIn();
      totout += produced;
      if (produced > 0) {
        sink.accept(outSeg, writePos, produced);
        writePos += produced;
      }
      if (ret == LibZ.Z_STREAM_END) {
        streamEnded = true;
        return;
      }
      if (ret != LibZ.Z_OK && ret != LibZ.Z_BUF_ERROR) {
        String why = ret == LibZ.Z_NEED_DICT ? "needs a preset dictionary" : z.message();
        throw new ZtocException(
            label + ": corrupt gzip data at compressed offset " + totin + ": " + why);
      }
      int dataType = z.dataType();
      if ((dataType & DATA_TYPE_BLOCK_BOUNDARY) != 0
          && (dataType & DATA_TYPE_LAST_BLOCK) == 0
          && (totout == 0 || totout - last > spanSize || beforeFileStart())) {
        byte[] window = new byte[WINDOW];
        MemorySegment.copy(outSeg, ValueLayout.JAVA_BYTE, writePos - WINDOW, window, 0, WINDOW);
        int bits = dataType & DATA_TYPE_BITS;
        checkpoints.add(new GzipCheckpoint(totin, totout, bits, window));
        hashes.boundary(totin, bits);
        if (totout == 0 || totout - last > spanSize) {
          // only a span's checkpoint restarts the span count: file checkpoints come on top of the
          // checkpoints the layer would have without them, so every span is a part of one of those
          last = totout;
        }
        lastAny = totout;
      }
    }

    // a checkpoint here pays for itself: a file starts just ahead, after a big one (see index)
    private boolean beforeFileStart() {
      if (hint == null) {
        return false;
      }
      long next = hint.nextEntryAt();
      if (next < totout
          || next - totout > FILE_NEAR
          || next == lastFileTarget
          || totout - lastAny < FILE_FAR
          || hint.currentEntrySize() < spanSize / 2) {
        return false;
      }
      lastFileTarget = next;
      return true;
    }
  }
}
