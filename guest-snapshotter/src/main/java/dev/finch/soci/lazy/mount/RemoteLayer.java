package dev.finch.soci.lazy.mount;

import dev.finch.soci.fs.FileContent;
import dev.finch.soci.fs.LayerNode;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.NativeSha256;
import dev.finch.soci.registry.ByteRange;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.registry.RegistryException;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.util.LimitedInputStream;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.compression.Zinfo;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * File bytes of one lazily mounted layer (the span manager): a read maps to spans, and every byte
 * served comes from the on-disk {@link SpanStore}. Missing spans are fetched from the registry with
 * one Range request per run of adjacent missing spans (at most {@link #MAX_RUN_BYTES} of compressed
 * data per request). The response is streamed: each span's compressed bytes are hashed while they
 * are inflated from its checkpoint into a pending span file, which is published only if the hash is
 * the zTOC's span digest (a mismatch is fetched again once, alone, then the read fails: unverified
 * bytes are never served). No span is held in memory, so the daemon's heap stays small whatever the
 * span size. Concurrent readers of one span wait for one fetch, and so do the background fetcher
 * and prefetch, which go through the same single-flight path.
 *
 * <p>A container's read never does the fetch itself: it hands it to a fetch thread and waits,
 * interruptibly and at most the registry client's read budget ({@code [blob] fetching_timeout_sec})
 * plus {@link #WAIT_SLACK}. So a signal to the reading process (FUSE interrupts the read) ends the
 * wait at once while the fetch goes on for the next reader, and a registry that stalls costs the
 * reader the budget, then EIO, with a log line naming the spans.
 */
public final class RemoteLayer implements FileContent {
  /**
   * Upper bound of one Range request, so a long read is not one long exchange to repeat on a
   * failure.
   */
  static final long MAX_RUN_BYTES = 32L << 20;

  /**
   * How much longer than the registry client's budget a reader waits: the client gives up within
   * its budget, so this only covers the time to report it.
   */
  static final java.time.Duration WAIT_SLACK = java.time.Duration.ofSeconds(2);

  /**
   * How long a span whose fetch failed answers the next read of it with that failure at once. A
   * read the kernel sent as readahead is sent again, synchronously, as soon as it fails: without
   * this it would wait out a whole second budget. Once only, and short, so that any later read (the
   * next container's) tries the registry again.
   */
  static final long FAILURE_HOLD_NANOS = java.time.Duration.ofMillis(500).toNanos();

  /** A span fetch that failed, and when. */
  private record Failure(IOException error, long atNanos) {}

  /** Fetches for waiting readers: one virtual thread each, so none waits for another's turn. */
  static final Executor FETCHERS =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("soci-fetch-", 0).factory());

  /**
   * The daemon's container reads that wait on the registry, all layers together: told when one
   * starts and stops waiting, and asked whether the link has been left to background work.
   */
  interface DemandListener {
    void demandStarted();

    void demandEnded();

    /**
     * Whether no container read is waiting on the registry now, nor has for the last {@code nanos}.
     */
    boolean idleFor(long nanos);

    /** Tracks nothing: the link is always idle. */
    DemandListener NONE =
        new DemandListener() {
          @Override
          public void demandStarted() {}

          @Override
          public void demandEnded() {}

          @Override
          public boolean idleFor(long nanos) {
            return true;
          }
        };
  }

  private final RegistryClient client;
  private final String repository;
  private final CheckpointWindows windows;
  private final FetchAhead ahead;
  private final Digest layer;
  private final String hex;
  private final long compressedSize;
  private final long uncompressedSize;
  private final Zinfo zinfo;
  private final SpanStore store;
  private final DemandListener demand;
  private final EventSink events;
  private final ReadRecorder recorder;
  private final long waitNanos;
  private final List<Digest> spanDigests;
  private final ConcurrentHashMap<Integer, CompletableFuture<Void>> inflight =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, Failure> failures = new ConcurrentHashMap<>();
  private final AtomicLong fetchedBytes = new AtomicLong();
  private final AtomicLong servedBytes = new AtomicLong();
  private final AtomicLong syncReads = new AtomicLong();
  private final AtomicLong syncFetches = new AtomicLong();
  private final AtomicLong verifyFailures = new AtomicLong();
  private volatile boolean stopped;

  RemoteLayer(
      RegistryClient client,
      String repository,
      Digest layer,
      Ztoc ztoc,
      SpanStore store,
      DemandListener demand)
      throws IOException {
    this(client, repository, layer, ztoc, store, demand, EventSink.discard());
  }

  RemoteLayer(
      RegistryClient client,
      String repository,
      Digest layer,
      Ztoc ztoc,
      SpanStore store,
      DemandListener demand,
      EventSink events)
      throws IOException {
    this(
        client,
        repository,
        layer,
        ztoc,
        store,
        demand,
        events,
        ReadRecorder.OFF,
        CheckpointWindows.NONE);
  }

  RemoteLayer(
      RegistryClient client,
      String repository,
      Digest layer,
      Ztoc ztoc,
      SpanStore store,
      DemandListener demand,
      EventSink events,
      ReadRecorder recorder,
      CheckpointWindows windows)
      throws IOException {
    this.client = client;
    this.windows = windows;
    this.recorder = recorder;
    this.events = events;
    this.waitNanos = client.timeouts().blobRead().plus(WAIT_SLACK).toNanos();
    this.repository = repository;
    this.layer = layer;
    this.hex = layer.hex();
    // only sizes, digests and the span map: the TOC and checkpoint bytes of the zTOC are not kept
    this.compressedSize = ztoc.compressedArchiveSize();
    this.uncompressedSize = ztoc.uncompressedArchiveSize();
    this.zinfo = ztoc.compressionInfo().zinfo();
    this.store = store;
    this.demand = demand;
    this.spanDigests = ztoc.compressionInfo().spanDigests();
    this.ahead = new FetchAhead(this, windows, demand);
  }

  /** The layer blob's digest. */
  public Digest digest() {
    return layer;
  }

  /**
   * Fetches the checkpoint windows the zTOC came without, in the background, a few spans' worth at
   * a time while no container read waits ({@link FetchAhead#windows}).
   *
   * @param allAtOnce up to this many bytes of windows come in one request at once
   * @return whether a fetch started (false for a whole zTOC)
   */
  public boolean fetchWindowsAhead(long allAtOnce) {
    return ahead.windows(allAtOnce);
  }

  /** Spans fetched ahead of a read of a file being read through ({@link FetchAhead#afterWait}). */
  long readAheads() {
    return ahead.readAheads();
  }

  /**
   * Turns read-ahead off (it is on): for tests that count exactly what a read fetches.
   *
   * @return this layer
   */
  RemoteLayer withoutReadAhead() {
    ahead.readAheadOff();
    return this;
  }

  /**
   * What a {@link #replay} did.
   *
   * @param stopped true when {@link #stop} ended it before every listed span was fetched
   */
  public record Replay(int listed, int fetched, int failed, long millis, boolean stopped) {}

  /**
   * Fetches the listed spans (a prefetch artifact, in priority order) in the background over {@code
   * connections} connections, and answers when done ({@link SpanReplay#start}).
   */
  public CompletableFuture<Replay> replay(int[] spanIds, int connections) {
    return SpanReplay.start(this, spanIds, connections);
  }

  /**
   * The layer was unmounted (or the daemon is stopping): a {@link #replay} or a fetch ahead under
   * way fetches no further run of spans. Reads already waiting are not affected.
   */
  public void stop() {
    stopped = true;
  }

  boolean stopped() {
    return stopped;
  }

  boolean cached(int span) {
    return store.contains(hex, span);
  }

  /** Whether span {@code span} is cached, or a fetch of it is under way. */
  boolean cachedOrComing(int span) {
    return inflight.containsKey(span) || store.contains(hex, span);
  }

  /** Offset of span {@code span} in the uncompressed tar. */
  long spanStart(int span) {
    return zinfo.startUncompressedOffset(span);
  }

  /** {@link CheckpointWindows#ensure} for spans {@code first..last} of this layer. */
  void ensureWindows(int first, int last) throws IOException {
    windows.ensure(client, repository, first, last);
  }

  /** Spans of the layer, as its zTOC divides it. */
  public int spanCount() {
    return zinfo.maxSpanId() + 1;
  }

  /** Size of the layer's uncompressed tar. */
  long uncompressedSize() {
    return uncompressedSize;
  }

  /** Compressed size of the layer blob. */
  long size() {
    return compressedSize;
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
    return read(file, offset, dst, true);
  }

  @Override
  public boolean readIfLocal(LayerNode.RegularFile file, long offset, ByteBuffer dst)
      throws IOException {
    return readIfLocal(file, offset, dst, true);
  }

  /**
   * The layer's bytes as a {@link FileContent} whose reads are neither recorded nor counted as
   * served: for the daemon's own copy of a whole layer ({@link NativeHandover}), which is no read a
   * container's start made.
   */
  FileContent unrecorded() {
    return new FileContent() {
      @Override
      public int read(LayerNode.RegularFile file, long offset, ByteBuffer dst) throws IOException {
        return RemoteLayer.this.read(file, offset, dst, false);
      }

      @Override
      public boolean readIfLocal(LayerNode.RegularFile file, long offset, ByteBuffer dst)
          throws IOException {
        return RemoteLayer.this.readIfLocal(file, offset, dst, false);
      }
    };
  }

  private int read(LayerNode.RegularFile file, long offset, ByteBuffer dst, boolean container)
      throws IOException {
    long start = file.uncompressedOffset() + offset;
    long end = start + dst.remaining();
    int first = zinfo.spanIdForUncompressedOffset(start);
    int last = zinfo.spanIdForUncompressedOffset(end - 1);
    if (container) {
      syncReads.incrementAndGet();
      recorder.touch(start, end);
    }
    for (int attempt = 0; ; attempt++) {
      List<Integer> missing = missing(first, last);
      if (!missing.isEmpty()) {
        failedJustNow(missing);
        await(missing, true);
        ahead.afterWait(file, first, last);
      }
      int n = copy(first, last, start, end, dst);
      if (n >= 0) {
        if (container) {
          servedBytes.addAndGet(n);
        }
        return n;
      }
      if (attempt == 2) {
        throw new IOException(
            "spans "
                + first
                + "-"
                + last
                + " of "
                + layer
                + " were evicted as soon as they were fetched: [cache] max_bytes is too small for"
                + " one read");
      }
    }
  }

  private boolean readIfLocal(
      LayerNode.RegularFile file, long offset, ByteBuffer dst, boolean container)
      throws IOException {
    long start = file.uncompressedOffset() + offset;
    long end = start + dst.remaining();
    int first = zinfo.spanIdForUncompressedOffset(start);
    int last = zinfo.spanIdForUncompressedOffset(end - 1);
    if (!missing(first, last).isEmpty()) {
      return false;
    }
    int n = copy(first, last, start, end, dst);
    if (n < 0) {
      return false; // evicted meanwhile: the slow path fetches it again
    }
    if (container) {
      syncReads.incrementAndGet();
      recorder.touch(start, end); // a read of a cached span is still a read the start made
      servedBytes.addAndGet(n);
    }
    return true;
  }

  // The spans among first..last that are not cached.
  private List<Integer> missing(int first, int last) {
    List<Integer> missing = new ArrayList<>();
    for (int s = first; s <= last; s++) {
      if (!store.contains(hex, s)) {
        missing.add(s);
      }
    }
    return missing;
  }

  // Copies [start, end) of the tar from the cached spans into dst; -1 (dst untouched) if one is
  // gone.
  private int copy(int first, int last, long start, long end, ByteBuffer dst) throws IOException {
    int mark = dst.position();
    for (int s = first; s <= last; s++) {
      long spanStart = zinfo.startUncompressedOffset(s);
      long from = Math.max(start, spanStart);
      long to = Math.min(end, zinfo.endUncompressedOffset(s, uncompressedSize));
      int len = Math.toIntExact(to - from);
      ByteBuffer view = dst.slice(dst.position(), len);
      if (!store.read(hex, s, uncompressedLength(s), from - spanStart, view)) {
        dst.position(mark);
        return -1;
      }
      dst.position(dst.position() + len);
    }
    return dst.position() - mark;
  }

  // Throws, once, the failure of a span among `spans` whose fetch failed within
  // FAILURE_HOLD_NANOS.
  private void failedJustNow(List<Integer> spans) throws IOException {
    long now = System.nanoTime();
    for (int s : spans) {
      Failure f = failures.remove(s);
      if (f != null && now - f.atNanos() < FAILURE_HOLD_NANOS && !inflight.containsKey(s)) {
        throw new IOException(f.error().getMessage() + " (just now)", f.error());
      }
    }
  }

  /**
   * Fetches the next span at or after {@code from} that is neither cached nor being fetched, for
   * the background fetcher. Answers the span id to continue from, or -1 when every span is cached.
   */
  int fetchNextInBackground(int from) throws IOException {
    int n = spanCount();
    for (int i = 0; i < n; i++) {
      int s = (Math.max(from, 0) + i) % n; // from `from` to the end, then from the start
      if (!store.contains(hex, s) && !inflight.containsKey(s)) {
        await(List.of(s), false);
        return s + 1;
      }
    }
    return -1;
  }

  /**
   * Fetches, on this thread, the spans of {@code ids} that are neither cached nor being fetched;
   * answers {fetched, failed}. Spans someone else is fetching are not waited for.
   */
  int[] fetchUnclaimed(List<Integer> ids) {
    List<Integer> mine = new ArrayList<>();
    List<CompletableFuture<Void>> claims = new ArrayList<>();
    for (int s : ids) {
      if (store.contains(hex, s)) {
        continue;
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      if (inflight.putIfAbsent(s, f) != null) {
        continue;
      }
      if (store.contains(hex, s)) {
        inflight.remove(s, f);
        f.complete(null);
        continue;
      }
      mine.add(s);
      claims.add(f);
    }
    if (mine.isEmpty()) {
      return new int[] {0, 0};
    }
    fetchRuns(mine, false);
    int bad = 0;
    for (CompletableFuture<Void> f : claims) {
      if (f.isCompletedExceptionally() || !f.isDone()) {
        bad++;
      }
    }
    return new int[] {mine.size() - bad, bad};
  }

  /**
   * Returns once each listed span is in the store (or has just failed), fetching those no one is
   * fetching yet and waiting for the others.
   */
  private void await(List<Integer> ids, boolean onDemand) throws IOException {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    List<Integer> mine = new ArrayList<>();
    for (int s : ids) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      CompletableFuture<Void> existing = inflight.putIfAbsent(s, f);
      if (existing != null) {
        waits.add(existing);
        continue;
      }
      waits.add(f);
      if (store.contains(hex, s)) { // fetched and stored by someone else since the caller looked
        inflight.remove(s, f);
        f.complete(null);
      } else {
        mine.add(s);
      }
    }
    if (onDemand) {
      demand.demandStarted();
    }
    try {
      if (!mine.isEmpty()) {
        if (onDemand) {
          FETCHERS.execute(() -> fetchRuns(mine, true));
        } else {
          fetchRuns(mine, false); // the background fetcher's or a prefetch's own thread
        }
      }
      long deadline = System.nanoTime() + waitNanos;
      for (CompletableFuture<Void> f : waits) {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a span of " + layer);
    } catch (TimeoutException e) {
      throw new IOException(
          "spans "
              + ids
              + " of "
              + layer
              + " did not arrive within "
              + java.time.Duration.ofNanos(waitNanos).toSeconds()
              + " s");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException(String.valueOf(e.getCause()), e.getCause());
    } finally {
      if (onDemand) {
        demand.demandEnded();
      }
    }
  }

  /** Fetches the spans this caller owns: one request per run of consecutive ids, capped in size. */
  private void fetchRuns(List<Integer> mine, boolean onDemand) {
    for (List<Integer> run : runsOf(mine.stream().mapToInt(Integer::intValue).toArray())) {
      int first = run.getFirst();
      int last = run.getLast();
      try {
        if (onDemand) {
          syncFetches.incrementAndGet();
        }
        fetchRun(first, last);
      } catch (IOException | RuntimeException e) {
        IOException io =
            e instanceof IOException x
                ? x
                : e instanceof StoreFailure sf
                    ? new IOException(sf.getMessage(), sf.getCause())
                    : new IOException("fetching spans of " + layer + ": " + e.getMessage(), e);
        if (onDemand) {
          java.util.Map<String, Object> f = new java.util.LinkedHashMap<>();
          f.put("layer", layer.toString());
          f.put("spans", first + "-" + last);
          f.put("error", String.valueOf(e.getMessage()));
          events.event(
              "warn",
              e instanceof RegistryException ? "span-fetch-failed" : "span-fetch-error",
              "a container read gets EIO: spans could not be fetched",
              f);
        }
        long now = System.nanoTime();
        for (int s = first; s <= last; s++) {
          CompletableFuture<Void> f = inflight.remove(s);
          if (f != null) {
            failures.put(s, new Failure(io, now));
            f.completeExceptionally(io);
          }
        }
      }
    }
  }

  /** Valid span ids in the given order, cut into runs of consecutive ids capped in size. */
  List<List<Integer>> runsOf(int[] spanIds) {
    List<List<Integer>> runs = new ArrayList<>();
    List<Integer> run = new ArrayList<>();
    long bytes = 0;
    for (int s : spanIds) {
      if (s < 0 || s >= spanCount()) {
        continue;
      }
      long len = compressedLength(s);
      if (!run.isEmpty() && (s != run.getLast() + 1 || bytes + len > MAX_RUN_BYTES)) {
        runs.add(run);
        run = new ArrayList<>();
        bytes = 0;
      }
      run.add(s);
      bytes += len;
    }
    if (!run.isEmpty()) {
      runs.add(run);
    }
    return runs;
  }

  private void fetchRun(int first, int last) throws IOException {
    // the spans' checkpoint windows (if the zTOC came without them) are fetched alongside the
    // spans' bytes, and waited for before the first span is inflated
    CompletableFuture<Void> windowsReady = windows.fetching(client, repository, first, last);
    long size = compressedSize;
    ByteRange range =
        new ByteRange(zinfo.startCompressedOffset(first), zinfo.endCompressedOffset(last, size));
    List<Integer> failed =
        client.readBlobRange(
            repository,
            layer,
            range,
            body -> {
              awaitWindows(windowsReady);
              // Adjacent gzip spans can share a byte: when a checkpoint falls inside a byte, the
              // span after
              // it starts at that byte, which the span before also ends with. It is replayed from
              // the tail.
              RangeTail in = new RangeTail(counted(body), range.start());
              List<Integer> bad = new ArrayList<>();
              for (int s = first; s <= last; s++) {
                if (!receive(s, in.from(zinfo.startCompressedOffset(s)))) {
                  bad.add(s);
                }
              }
              return bad;
            });
    for (int s : failed) {
      verifyFailures.incrementAndGet();
      ByteRange one =
          new ByteRange(zinfo.startCompressedOffset(s), zinfo.endCompressedOffset(s, size));
      boolean ok = client.readBlobRange(repository, layer, one, in -> receive(s, counted(in)));
      if (!ok) {
        verifyFailures.incrementAndGet();
        throw new IOException(
            "span "
                + s
                + " of "
                + layer
                + " failed verification twice: expected "
                + spanDigests.get(s)
                + ", got other bytes");
      }
    }
  }

  // Unchecked (a StoreFailure), so that the registry client does not take a window that could not
  // be had for a broken answer of the span request and ask again.
  private void awaitWindows(CompletableFuture<Void> ready) throws InterruptedIOException {
    try {
      ready.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while fetching checkpoint windows");
    } catch (ExecutionException e) {
      Throwable c =
          e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
      throw new StoreFailure(
          "checkpoint windows of spans of " + layer + ": " + c.getMessage(),
          c instanceof IOException io ? io : new IOException(c));
    }
  }

  /**
   * {@code body}, adding what is read of it to {@link #fetchedBytes} as it arrives: a span's
   * waiters may go on as soon as it is published, before the rest of the run is read.
   */
  private InputStream counted(InputStream body) {
    return new java.io.FilterInputStream(body) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          fetchedBytes.incrementAndGet();
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          fetchedBytes.addAndGet(n);
        }
        return n;
      }
    };
  }

  /**
   * Reads span {@code s}'s compressed bytes from {@code in}, inflating them into a pending span
   * file while hashing them; publishes the span only if the hash is the zTOC's digest. Answers
   * whether it did; either way exactly the span's compressed bytes are consumed.
   */
  private boolean receive(int s, InputStream in) throws IOException {
    MessageDigest md = NativeSha256.create();
    InputStream span = new DigestInputStream(new LimitedInputStream(in, compressedLength(s)), md);
    try (SpanStore.Pending p = stored(() -> store.begin(hex, s), s)) {
      IOException inflateError = null;
      try {
        zinfo.inflateSpan(s, span, uncompressedLength(s), new StoreErrors(p.out(), s));
      } catch (ZtocException e) {
        inflateError = e; // corrupt bytes: the digest decides below
      }
      span.transferTo(OutputStream.nullOutputStream());
      if (!Digest.fromSha256(md.digest()).equals(spanDigests.get(s))) {
        return false;
      }
      if (inflateError != null) {
        throw inflateError;
      }
      stored(
          () -> {
            p.commit();
            return p;
          },
          s);
    }
    failures.remove(s);
    CompletableFuture<Void> f = inflight.remove(s);
    if (f != null) {
      f.complete(null);
    }
    return true;
  }

  /**
   * The span cache could not store a span (a full disk, say), or a span's checkpoint window could
   * not be had. Unchecked, so that the registry client does not take it for a broken answer and ask
   * again: the read fails at once.
   */
  static final class StoreFailure extends java.io.UncheckedIOException {
    StoreFailure(String message, IOException cause) {
      super(message, cause);
    }
  }

  private interface StoreStep<T> {
    T run() throws IOException;
  }

  private <T> T stored(StoreStep<T> step, int s) {
    try {
      return step.run();
    } catch (IOException e) {
      throw storeFailure(s, e);
    }
  }

  private StoreFailure storeFailure(int s, IOException e) {
    return new StoreFailure(
        "cannot store span " + s + " of " + layer + " in the span cache: " + e.getMessage(), e);
  }

  /** The pending span file, whose write errors are {@link StoreFailure}s. */
  private final class StoreErrors extends java.io.FilterOutputStream {
    private final int span;

    StoreErrors(OutputStream out, int span) {
      super(out);
      this.span = span;
    }

    @Override
    public void write(int b) {
      try {
        out.write(b);
      } catch (IOException e) {
        throw storeFailure(span, e);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw storeFailure(span, e);
      }
    }
  }

  private long compressedLength(int span) {
    return zinfo.endCompressedOffset(span, compressedSize) - zinfo.startCompressedOffset(span);
  }

  private int uncompressedLength(int span) {
    return Math.toIntExact(
        zinfo.endUncompressedOffset(span, uncompressedSize) - zinfo.startUncompressedOffset(span));
  }
}
