package dev.finch.soci.ztoc.compression;

import dev.finch.soci.oci.Digest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Runs the sha256 work of one indexing pass (the whole-blob digest and the span digests) on a
 * second thread, in the order the inflate loop produced it, so hashing overlaps with inflating
 * instead of adding to it. Each chunk is copied once; at most {@link #MAX_PENDING} chunks wait,
 * which bounds memory whatever the layer size.
 */
final class HashPipeline implements AutoCloseable {
  private static final int MAX_PENDING = 8;

  /** The digests of a finished pass. */
  record Digests(List<Digest> spans, Digest blob) {}

  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().daemon().name("ztoc-sha256").unstarted(r));
  private final Semaphore pending = new Semaphore(MAX_PENDING);
  private final SpanHasher spans = new SpanHasher();
  private final MessageDigest blob = Digest.newSha256();

  /** A chunk of the blob at offset {@code pos}: the previous chunk is done, this one is current. */
  void chunk(byte[] src, int len, long pos) throws IOException {
    byte[] copy = Arrays.copyOf(src, len);
    try {
      pending.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while hashing");
    }
    worker.execute(
        () -> {
          try {
            spans.chunkDone();
            blob.update(copy, 0, len);
            spans.newChunk(copy, len, pos);
          } finally {
            pending.release();
          }
        });
  }

  /** A checkpoint at compressed offset {@code in} within the current chunk. */
  void boundary(long in, int bits) {
    worker.execute(() -> spans.boundary(in, bits));
  }

  /** Waits for all queued hashing and returns the span and blob digests. */
  Digests finish() throws IOException {
    try {
      return worker
          .submit(() -> new Digests(spans.finish(), Digest.fromSha256(blob.digest())))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while hashing");
    } catch (ExecutionException e) {
      throw new IOException("hashing failed: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
