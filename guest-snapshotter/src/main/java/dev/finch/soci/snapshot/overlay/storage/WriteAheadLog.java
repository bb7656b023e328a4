package dev.finch.soci.snapshot.overlay.storage;

import dev.finch.soci.util.DurableFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Append-only log of fsynced, checksummed records: {@code "SOCIWAL1"} then frames of {@code [u32
 * length][u32 crc32c(payload)][payload]} (little endian).
 *
 * <p>Appends are the only writes, so a crash can only damage the last frame. On open, the first
 * frame that is short or fails its checksum marks the torn tail: it and everything after it are
 * truncated away. Such a frame was never acknowledged, because {@link #append} returns only after
 * {@code fdatasync}. A failed append is rolled back by truncating to the previous length so later
 * records never sit behind garbage.
 */
final class WriteAheadLog implements Closeable {
  private static final byte[] MAGIC = "SOCIWAL1".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = 8;
  private static final int MAX_RECORD = 64 << 20;

  private final Path file;
  private final FaultHook hook;
  private FileChannel channel;
  private long end;
  private boolean broken;

  private WriteAheadLog(Path file, FaultHook hook) {
    this.file = file;
    this.hook = hook;
  }

  /** What {@link #open} found: intact payloads in order, and whether a torn tail was cut off. */
  record Replay(WriteAheadLog log, List<byte[]> records, boolean truncatedTail) {}

  static Replay open(Path file, FaultHook hook) throws IOException {
    WriteAheadLog log = new WriteAheadLog(file, hook);
    if (!Files.exists(file) || Files.size(file) < MAGIC.length) {
      // Missing, or torn while being created (which happens only before any record exists).
      log.createEmpty();
      return new Replay(log, List.of(), false);
    }
    byte[] all = Files.readAllBytes(file);
    if (!Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new IOException("not a snapshot metadata log (bad magic): " + file);
    }
    List<byte[]> records = new ArrayList<>();
    ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int off = MAGIC.length;
    while (all.length - off >= HEADER) {
      int len = buf.getInt(off);
      int crc = buf.getInt(off + 4);
      if (len < 0 || len > MAX_RECORD || all.length - off - HEADER < len) {
        break;
      }
      if (crc32c(all, off + HEADER, len) != crc) {
        break;
      }
      records.add(Arrays.copyOfRange(all, off + HEADER, off + HEADER + len));
      off += HEADER + len;
    }
    log.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    boolean torn = off < all.length;
    if (torn) {
      log.channel.truncate(off);
      log.channel.force(true);
    }
    log.end = off;
    return new Replay(log, records, torn);
  }

  /** Appends one record and returns once it is on stable storage. */
  void append(byte[] payload) throws IOException {
    if (broken) {
      throw new IOException(
          "metadata log "
              + file
              + " is in an unknown state after a failed write; reopen the store");
    }
    ByteBuffer frame = ByteBuffer.allocate(HEADER + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    frame.putInt(payload.length).putInt(crc32c(payload, 0, payload.length)).put(payload).flip();
    long before = end;
    try {
      if (hook == FaultHook.NONE) {
        writeFully(frame, before);
      } else {
        // Only under test: make a torn frame durable before the hook can "crash".
        int half = frame.limit() / 2;
        writeFully(frame.duplicate().limit(half), before);
        channel.force(false);
        hook.reached(CrashPoint.MID_LOG_RECORD);
        writeFully(frame.duplicate().position(half), before + half);
      }
      channel.force(false);
      end = before + frame.limit();
    } catch (IOException | RuntimeException e) {
      try {
        channel.truncate(before);
        channel.force(true);
      } catch (IOException t) {
        broken = true;
        e.addSuppressed(t);
      }
      throw e;
    }
  }

  /**
   * Atomically replaces the log with an empty one, after a checkpoint made its records redundant.
   */
  void reset() throws IOException {
    try {
      DurableFiles.write(file, MAGIC);
    } finally {
      // Records must go to whichever file now sits at the path: the new one if the rename
      // happened (even if the directory fsync then failed), else keep appending to the old one,
      // whose records at or below the checkpoint's sequence are skipped on replay.
      FileChannel fresh = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      if (fresh.size() == MAGIC.length) {
        FileChannel old = channel;
        channel = fresh;
        end = MAGIC.length;
        broken = false;
        old.close();
      } else {
        fresh.close();
      }
    }
  }

  long size() {
    return end;
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }

  private void createEmpty() throws IOException {
    DurableFiles.write(file, MAGIC);
    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    end = MAGIC.length;
  }

  private void writeFully(ByteBuffer buf, long position) throws IOException {
    long p = position;
    while (buf.hasRemaining()) {
      p += channel.write(buf, p);
    }
  }

  private static int crc32c(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }
}
