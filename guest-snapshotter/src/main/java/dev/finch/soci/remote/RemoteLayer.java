package dev.finch.soci.remote;

import dev.finch.soci.fs.FileContent;
import dev.finch.soci.fs.LayerNode;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.registry.ByteRange;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.compression.Zinfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * File bytes of one lazily mounted layer: a read maps to spans; spans not yet cached are fetched from
 * the registry with one Range request per run of adjacent missing spans, each span checked against its
 * zTOC digest before it is inflated from its checkpoint (a mismatch is fetched again once, then the
 * read fails, never serving unverified bytes). Concurrent readers of one span wait for one fetch.
 */
final class RemoteLayer implements FileContent {
  private final RegistryClient client;
  private final String repository;
  private final Digest layer;
  private final Ztoc ztoc;
  private final Zinfo zinfo;
  private final SpanCache cache;
  private final ConcurrentHashMap<Integer, CompletableFuture<byte[]>> inflight = new ConcurrentHashMap<>();
  private final AtomicLong fetchedBytes = new AtomicLong();
  private final AtomicLong servedBytes = new AtomicLong();

  RemoteLayer(RegistryClient client, String repository, Digest layer, Ztoc ztoc, SpanCache cache) throws IOException {
    this.client = client;
    this.repository = repository;
    this.layer = layer;
    this.ztoc = ztoc;
    this.zinfo = Zinfo.of(ztoc.compressionInfo().algorithm(), ztoc.compressionInfo().checkpoints());
    this.cache = cache;
  }

  long fetchedBytes() {
    return fetchedBytes.get();
  }

  long servedBytes() {
    return servedBytes.get();
  }

  @Override
  public int read(LayerNode.RegularFile file, long offset, ByteBuffer dst) throws IOException {
    long start = file.uncompressedOffset() + offset;
    long end = start + dst.remaining();
    int first = zinfo.spanIdForUncompressedOffset(start);
    int last = zinfo.spanIdForUncompressedOffset(end - 1);
    List<byte[]> spans = spans(first, last);
    int n = 0;
    for (int s = first; s <= last; s++) {
      long spanStart = zinfo.startUncompressedOffset(s);
      byte[] data = spans.get(s - first);
      long from = Math.max(start, spanStart);
      long to = Math.min(end, spanStart + data.length);
      dst.put(data, Math.toIntExact(from - spanStart), Math.toIntExact(to - from));
      n += (int) (to - from);
    }
    servedBytes.addAndGet(n);
    return n;
  }

  /** The uncompressed spans {@code first..last}, fetching what is missing. */
  private List<byte[]> spans(int first, int last) throws IOException {
    List<CompletableFuture<byte[]>> waits = new ArrayList<>();
    List<Integer> mine = new ArrayList<>();
    for (int s = first; s <= last; s++) {
      byte[] cached = cache.get(layer.hex(), s);
      if (cached != null) {
        waits.add(CompletableFuture.completedFuture(cached));
        continue;
      }
      CompletableFuture<byte[]> f = new CompletableFuture<>();
      CompletableFuture<byte[]> existing = inflight.putIfAbsent(s, f);
      if (existing == null) {
        mine.add(s);
        waits.add(f);
      } else {
        waits.add(existing);
      }
    }
    fetchRuns(mine);
    List<byte[]> out = new ArrayList<>();
    for (CompletableFuture<byte[]> f : waits) {
      try {
        out.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for a span of " + layer);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e.getCause());
      }
    }
    return out;
  }

  /** Fetches the spans this reader owns, one request per run of consecutive span ids. */
  private void fetchRuns(List<Integer> mine) {
    int i = 0;
    while (i < mine.size()) {
      int j = i;
      while (j + 1 < mine.size() && mine.get(j + 1) == mine.get(j) + 1) {
        j++;
      }
      List<Integer> run = mine.subList(i, j + 1);
      try {
        fetchRun(run.getFirst(), run.getLast());
      } catch (IOException | RuntimeException e) {
        IOException io = e instanceof IOException x ? x : new IOException("fetching spans of " + layer + ": " + e.getMessage(), e);
        for (int s : run) {
          CompletableFuture<byte[]> f = inflight.remove(s);
          if (f != null) {
            f.completeExceptionally(io);
          }
        }
      }
      i = j + 1;
    }
  }

  private void fetchRun(int first, int last) throws IOException {
    long size = ztoc.compressedArchiveSize();
    long base = zinfo.startCompressedOffset(first);
    long end = zinfo.endCompressedOffset(last, size);
    byte[] compressed = client.fetchBlobRange(repository, layer, new ByteRange(base, end));
    fetchedBytes.addAndGet(compressed.length);
    for (int s = first; s <= last; s++) {
      long cs = zinfo.startCompressedOffset(s);
      long ce = zinfo.endCompressedOffset(s, size);
      byte[] span = java.util.Arrays.copyOfRange(compressed, Math.toIntExact(cs - base), Math.toIntExact(ce - base));
      if (!verified(s, span)) {
        span = client.fetchBlobRange(repository, layer, new ByteRange(cs, ce));
        fetchedBytes.addAndGet(span.length);
        if (!verified(s, span)) {
          throw new IOException("span " + s + " of " + layer + " failed verification twice: expected "
              + ztoc.compressionInfo().spanDigests().get(s) + ", got " + Digest.sha256(span));
        }
      }
      long us = zinfo.startUncompressedOffset(s);
      long ue = zinfo.endUncompressedOffset(s, ztoc.uncompressedArchiveSize());
      byte[] data = new byte[Math.toIntExact(ue - us)];
      zinfo.extract(s, span, 0, span.length, us, data, 0, data.length);
      cache.put(layer.hex(), s, data);
      CompletableFuture<byte[]> f = inflight.remove(s);
      if (f != null) {
        f.complete(data);
      }
    }
  }

  private boolean verified(int span, byte[] bytes) {
    return Digest.sha256(bytes).equals(ztoc.compressionInfo().spanDigests().get(span));
  }
}
