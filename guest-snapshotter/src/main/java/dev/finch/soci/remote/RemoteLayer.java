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
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * File bytes of one lazily mounted layer (the span manager): a read maps to spans; cached spans are
 * read from the on-disk {@link SpanStore}; missing ones are fetched from the registry with one Range
 * request per run of adjacent missing spans (at most {@link #MAX_RUN_BYTES} of compressed data per
 * request), each span checked against its zTOC digest before it is inflated from its checkpoint (a
 * mismatch is fetched again once, then the read fails: unverified bytes are never served), then
 * stored. Concurrent readers of one span wait for one fetch, and so do the background fetcher and
 * prefetch, which go through the same single-flight path.
 */
final class RemoteLayer implements FileContent {
  /** Upper bound of one Range request, so a long read does not hold a huge buffer. */
  static final long MAX_RUN_BYTES = 32L << 20;

  /** Told when a container read starts and stops waiting on the registry. */
  interface DemandListener {
    void demandStarted();

    void demandEnded();

    DemandListener NONE = new DemandListener() {
      @Override
      public void demandStarted() {}

      @Override
      public void demandEnded() {}
    };
  }

  private final RegistryClient client;
  private final String repository;
  private final Digest layer;
  private final String hex;
  private final Ztoc ztoc;
  private final Zinfo zinfo;
  private final SpanStore store;
  private final DemandListener demand;
  private final List<Digest> spanDigests;
  private final ConcurrentHashMap<Integer, CompletableFuture<byte[]>> inflight = new ConcurrentHashMap<>();
  private final AtomicLong fetchedBytes = new AtomicLong();
  private final AtomicLong servedBytes = new AtomicLong();
  private final AtomicLong syncReads = new AtomicLong();
  private final AtomicLong syncFetches = new AtomicLong();
  private final AtomicLong verifyFailures = new AtomicLong();

  RemoteLayer(RegistryClient client, String repository, Digest layer, Ztoc ztoc, SpanStore store, DemandListener demand)
      throws IOException {
    this.client = client;
    this.repository = repository;
    this.layer = layer;
    this.hex = layer.hex();
    this.ztoc = ztoc;
    this.zinfo = Zinfo.of(ztoc.compressionInfo().algorithm(), ztoc.compressionInfo().checkpoints());
    this.store = store;
    this.demand = demand;
    this.spanDigests = ztoc.compressionInfo().spanDigests();
  }

  Digest digest() {
    return layer;
  }

  int spanCount() {
    return zinfo.maxSpanId() + 1;
  }

  /** Compressed size of the layer blob. */
  long size() {
    return ztoc.compressedArchiveSize();
  }

  /** Compressed bytes received from the registry for this layer. */
  long fetchedBytes() {
    return fetchedBytes.get();
  }

  long servedBytes() {
    return servedBytes.get();
  }

  long syncReads() {
    return syncReads.get();
  }

  /** Range requests made because a container read was waiting. */
  long syncFetches() {
    return syncFetches.get();
  }

  long verifyFailures() {
    return verifyFailures.get();
  }

  /** Compressed bytes of the spans now in the cache (the reference's {@code fetchedSize}). */
  long cachedCompressedBytes() {
    long n = 0;
    for (int s = 0; s < spanCount(); s++) {
      if (store.contains(hex, s)) {
        n += compressedLength(s);
      }
    }
    return n;
  }

  @Override
  public int read(LayerNode.RegularFile file, long offset, ByteBuffer dst) throws IOException {
    long start = file.uncompressedOffset() + offset;
    long end = start + dst.remaining();
    int first = zinfo.spanIdForUncompressedOffset(start);
    int last = zinfo.spanIdForUncompressedOffset(end - 1);
    syncReads.incrementAndGet();
    List<Integer> missing = new ArrayList<>();
    for (int s = first; s <= last; s++) {
      if (!store.contains(hex, s)) {
        missing.add(s);
      }
    }
    Map<Integer, byte[]> fetched = missing.isEmpty() ? Map.of() : await(missing, true);
    int n = 0;
    for (int s = first; s <= last; s++) {
      long spanStart = zinfo.startUncompressedOffset(s);
      long from = Math.max(start, spanStart);
      long to = Math.min(end, zinfo.endUncompressedOffset(s, ztoc.uncompressedArchiveSize()));
      int len = Math.toIntExact(to - from);
      int off = Math.toIntExact(from - spanStart);
      byte[] data = fetched.get(s);
      if (data == null) {
        ByteBuffer view = dst.slice(dst.position(), len);
        if (store.read(hex, s, uncompressedLength(s), off, view)) {
          dst.position(dst.position() + len);
          n += len;
          continue;
        }
        // evicted between the check and the read: fetch it again
        data = await(List.of(s), true).get(s);
      }
      dst.put(data, off, len);
      n += len;
    }
    servedBytes.addAndGet(n);
    return n;
  }

  /**
   * Fetches the next span at or after {@code from} that is neither cached nor being fetched, for the
   * background fetcher. Answers the span id to continue from, or -1 when every span is cached.
   */
  int fetchNextInBackground(int from) throws IOException {
    for (int s = from; s < spanCount(); s++) {
      if (!store.contains(hex, s) && !inflight.containsKey(s)) {
        await(List.of(s), false);
        return s + 1;
      }
    }
    for (int s = 0; s < Math.min(from, spanCount()); s++) {
      if (!store.contains(hex, s) && !inflight.containsKey(s)) {
        await(List.of(s), false);
        return s + 1;
      }
    }
    return -1;
  }

  /** Fetches the listed spans (a prefetch artifact) that are not cached yet; answers how many. */
  int prefetch(int[] spanIds) throws IOException {
    List<Integer> missing = new ArrayList<>();
    for (int s : spanIds) {
      if (s >= 0 && s < spanCount() && !store.contains(hex, s)) {
        missing.add(s);
      }
    }
    if (!missing.isEmpty()) {
      await(missing, false);
    }
    return missing.size();
  }

  /**
   * The uncompressed bytes of each listed span (ascending ids), fetching those no one is fetching
   * yet and waiting for the others.
   */
  private Map<Integer, byte[]> await(List<Integer> ids, boolean onDemand) throws IOException {
    Map<Integer, CompletableFuture<byte[]>> waits = new HashMap<>();
    List<Integer> mine = new ArrayList<>();
    for (int s : ids) {
      CompletableFuture<byte[]> f = new CompletableFuture<>();
      CompletableFuture<byte[]> existing = inflight.putIfAbsent(s, f);
      if (existing != null) {
        waits.put(s, existing);
        continue;
      }
      waits.put(s, f);
      // fetched and stored by someone else since the caller looked
      byte[] cached = store.readAll(hex, s, uncompressedLength(s));
      if (cached != null) {
        inflight.remove(s, f);
        f.complete(cached);
      } else {
        mine.add(s);
      }
    }
    if (onDemand) {
      demand.demandStarted();
    }
    try {
      fetchRuns(mine, onDemand);
      Map<Integer, byte[]> out = new HashMap<>();
      for (var e : waits.entrySet()) {
        out.put(e.getKey(), e.getValue().get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a span of " + layer);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e.getCause());
    } finally {
      if (onDemand) {
        demand.demandEnded();
      }
    }
  }

  /** Fetches the spans this caller owns: one request per run of consecutive ids, capped in size. */
  private void fetchRuns(List<Integer> mine, boolean onDemand) {
    int i = 0;
    while (i < mine.size()) {
      int j = i;
      long bytes = compressedLength(mine.get(i));
      while (j + 1 < mine.size() && mine.get(j + 1) == mine.get(j) + 1
          && bytes + compressedLength(mine.get(j + 1)) <= MAX_RUN_BYTES) {
        j++;
        bytes += compressedLength(mine.get(j));
      }
      int first = mine.get(i);
      int last = mine.get(j);
      try {
        if (onDemand) {
          syncFetches.incrementAndGet();
        }
        fetchRun(first, last);
      } catch (IOException | RuntimeException e) {
        IOException io = e instanceof IOException x ? x : new IOException("fetching spans of " + layer + ": " + e.getMessage(), e);
        for (int s = first; s <= last; s++) {
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
    byte[] compressed = client.fetchBlobRange(repository, layer, new ByteRange(base, zinfo.endCompressedOffset(last, size)));
    fetchedBytes.addAndGet(compressed.length);
    for (int s = first; s <= last; s++) {
      byte[] src = compressed;
      int off = Math.toIntExact(zinfo.startCompressedOffset(s) - base);
      int len = Math.toIntExact(compressedLength(s));
      if (!verified(s, src, off, len)) {
        verifyFailures.incrementAndGet();
        src = client.fetchBlobRange(repository, layer, new ByteRange(zinfo.startCompressedOffset(s), zinfo.endCompressedOffset(s, size)));
        fetchedBytes.addAndGet(src.length);
        off = 0;
        if (!verified(s, src, 0, src.length)) {
          verifyFailures.incrementAndGet();
          throw new IOException("span " + s + " of " + layer + " failed verification twice: expected "
              + spanDigests.get(s) + ", got " + Digest.sha256(src));
        }
      }
      byte[] data = new byte[uncompressedLength(s)];
      zinfo.extract(s, src, off, len, zinfo.startUncompressedOffset(s), data, 0, data.length);
      try {
        store.put(hex, s, data);
      } catch (IOException | RuntimeException e) {
        // a full or failing disk costs a refetch later, never this read
        System.getLogger(RemoteLayer.class.getName()).log(System.Logger.Level.WARNING,
            "span " + s + " of " + layer + " not cached: " + e.getMessage());
      }
      CompletableFuture<byte[]> f = inflight.remove(s);
      if (f != null) {
        f.complete(data);
      }
    }
  }

  private long compressedLength(int span) {
    return zinfo.endCompressedOffset(span, ztoc.compressedArchiveSize()) - zinfo.startCompressedOffset(span);
  }

  private int uncompressedLength(int span) {
    return Math.toIntExact(zinfo.endUncompressedOffset(span, ztoc.uncompressedArchiveSize()) - zinfo.startUncompressedOffset(span));
  }

  private boolean verified(int span, byte[] bytes, int off, int len) {
    if (off + len > bytes.length) {
      return false;
    }
    MessageDigest md = Digest.newSha256();
    md.update(bytes, off, len);
    return Digest.fromSha256(md.digest()).equals(spanDigests.get(span));
  }
}
