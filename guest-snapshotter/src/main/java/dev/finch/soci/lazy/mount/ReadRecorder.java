package dev.finch.soci.lazy.mount;

import dev.finch.soci.index.ReadRecord;
import dev.finch.soci.oci.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Records which bytes of one lazily mounted layer are read, in the order they are first read, for
 * {@code soci create --record}. The layer's uncompressed tar is cut into {@value #BLOCK_SIZE}-byte
 * blocks (the kernel's page size: FUSE reads are page-aligned), one bit each; a read whose blocks
 * are all known costs a few volatile reads and no lock. A block read for the first time is appended
 * to a list of runs (a run grows while blocks follow each other), under a lock taken only then.
 *
 * <p>Bounded: the bitmap is one bit per 4 KiB of the layer (32 KiB for a 1 GiB layer), and at most
 * {@value #MAX_RUNS} runs are kept (16 bytes each); reads past that are counted as dropped, not
 * recorded.
 */
final class ReadRecorder {
  /** Bytes per recorded block. */
  static final int BLOCK_SIZE = 4096;

  private static final int SHIFT = Integer.numberOfTrailingZeros(BLOCK_SIZE);

  /** Runs kept per layer at most. */
  static final int MAX_RUNS = 1 << 16;

  /** Records nothing: for layers opened outside a daemon (tests, tools). */
  static final ReadRecorder OFF = new ReadRecorder(null, 0);

  private final Digest layer;
  private final long size;
  private final AtomicLongArray bits;
  private long[] starts = new long[16];
  private long[] ends = new long[16];
  private int runs;
  private long dropped;
  private boolean dirty;

  /** A recorder for a layer of {@code uncompressedSize} bytes. */
  ReadRecorder(Digest layer, long uncompressedSize) {
    this.layer = layer;
    this.size = uncompressedSize;
    long blocks = (uncompressedSize + BLOCK_SIZE - 1) >>> SHIFT;
    this.bits = new AtomicLongArray(Math.toIntExact((blocks + 63) >>> 6));
  }

  /** Notes a read of {@code [start, end)} of the uncompressed tar. */
  void touch(long start, long end) {
    if (layer == null || end <= start || start < 0 || start >= size) {
      return;
    }
    long last = Math.min(end - 1, size - 1) >> SHIFT;
    for (long b = start >> SHIFT; b <= last; b++) {
      int word = (int) (b >>> 6);
      long mask = 1L << (b & 63);
      long w = bits.get(word);
      while ((w & mask) == 0) {
        long seen = bits.compareAndExchange(word, w, w | mask);
        if (seen == w) {
          append(b);
          break;
        }
        w = seen;
      }
    }
  }

  private synchronized void append(long block) {
    dirty = true;
    if (runs > 0 && ends[runs - 1] == block) {
      ends[runs - 1] = block + 1;
      return;
    }
    if (runs == MAX_RUNS) {
      dropped++;
      return;
    }
    if (runs == starts.length) {
      starts = java.util.Arrays.copyOf(starts, runs * 2);
      ends = java.util.Arrays.copyOf(ends, runs * 2);
    }
    starts[runs] = block;
    ends[runs] = block + 1;
    runs++;
  }

  /** Blocks first read past {@link #MAX_RUNS}: known to be read, absent from the recording. */
  synchronized long dropped() {
    return dropped;
  }

  /** True once per change: whether something was recorded since the last call. */
  synchronized boolean takeDirty() {
    boolean d = dirty;
    dirty = false;
    return d;
  }

  /** The recording so far: runs in time order as byte ranges, the last clipped to the layer. */
  synchronized ReadRecord snapshot() {
    List<ReadRecord.Range> ranges = new ArrayList<>(runs);
    for (int i = 0; i < runs; i++) {
      long from = starts[i] << SHIFT;
      long to = Math.min(ends[i] << SHIFT, size);
      ranges.add(new ReadRecord.Range(from, to - from));
    }
    return new ReadRecord(layer, ranges);
  }

  /** Replays an earlier recording of this layer (the daemon restarted), keeping its order. */
  void restore(ReadRecord earlier) {
    for (ReadRecord.Range r : earlier.ranges()) {
      if (r.offset() < size) {
        touch(r.offset(), Math.min(r.end(), size));
      }
    }
    takeDirty();
  }
}
