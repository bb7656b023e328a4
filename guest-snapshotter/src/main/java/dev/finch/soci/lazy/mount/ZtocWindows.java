package dev.finch.soci.lazy.mount;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.NativeSha256;
import dev.finch.soci.registry.ByteRange;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.ztoc.ZtocSkeleton;
import dev.finch.soci.ztoc.compression.GzipCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The checkpoint windows of a zTOC that was fetched as its {@link ZtocSkeleton}: the zTOC lies in a
 * sparse file whose holes are the windows, and {@link #ensure} fills those of the spans about to be
 * inflated, by range reads of the zTOC blob, each checked against the skeleton's sha256 before it
 * is written. A window is fetched once (a second caller waits for the first's fetch), windows of
 * consecutive spans in one request, and no lock is held while fetching. The file is kept, so a
 * restarted daemon checks a hole's bytes against its digest and fetches only those that are not
 * there yet.
 */
public final class ZtocWindows implements CheckpointWindows {
  private static final int W = GzipCheckpoint.WINDOW_SIZE;

  // windows closer than this in the zTOC (the 17 bytes of the next checkpoint's offsets, say) are
  // fetched in one request, with what lies between them
  private static final long JOIN_GAP = 4096;

  private final Digest ztoc;
  private final FileChannel file;
  private final ZtocSkeleton.Hole[] bySpan;
  private final BitSet present = new BitSet(); // by span, guarded by lock
  // windows being fetched, by span, guarded by lock
  private final java.util.Map<Integer, CompletableFuture<Void>> fetching =
      new java.util.HashMap<>();
  private final BitSet checked = new BitSet(); // by span: compared with the file, guarded by lock
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicLong fetchedBytes = new AtomicLong();

  /**
   * @param file the sparse zTOC, written from the skeleton
   * @param fresh true when the file was just written (every hole is empty), false when a daemon
   *     before this one wrote it (its holes are compared with their digests before use)
   */
  public ZtocWindows(ZtocSkeleton skeleton, Path file, boolean fresh) throws IOException {
    this.ztoc = skeleton.ztoc();
    this.file = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    int maxSpan = skeleton.holes().getLast().spanId();
    this.bySpan = new ZtocSkeleton.Hole[maxSpan + 1];
    for (ZtocSkeleton.Hole h : skeleton.holes()) {
      bySpan[h.spanId()] = h;
    }
    if (fresh) {
      checked.set(0, maxSpan + 1);
    }
  }

  /** Bytes of windows fetched from the registry by this daemon. */
  public long fetchedBytes() {
    return fetchedBytes.get();
  }

  /** The bytes of all the windows the zTOC was fetched without (present or not). */
  @Override
  public long leftOutBytes() {
    long n = 0;
    for (ZtocSkeleton.Hole h : bySpan) {
      n += h == null ? 0 : W;
    }
    return n;
  }

  @Override
  public void ensure(RegistryClient client, String repository, int first, int last)
      throws IOException {
    if (first >= bySpan.length) {
      return;
    }
    // Claim the windows nobody has or is fetching, under the lock; fetch them without it, so that
    // fetches for other spans of the layer (readahead, a prefetch) go on at the same time; then
    // wait for the ones others were fetching.
    List<ZtocSkeleton.Hole> mine = new ArrayList<>();
    List<CompletableFuture<Void>> theirs = new ArrayList<>();
    lock.lock();
    try {
      for (int s = first; s <= Math.min(last, bySpan.length - 1); s++) {
        ZtocSkeleton.Hole h = bySpan[s];
        if (h == null || present.get(s)) {
          continue;
        }
        CompletableFuture<Void> f = fetching.get(s);
        if (f != null) {
          theirs.add(f);
          continue;
        }
        if (!checked.get(s)) {
          checked.set(s);
          if (matches(h, read(h.offset(), W))) {
            present.set(s);
            continue;
          }
        }
        fetching.put(s, new CompletableFuture<>());
        mine.add(h);
      }
    } finally {
      lock.unlock();
    }
    IOException failed = null;
    int i = 0;
    while (i < mine.size()) {
      int j = i;
      while (j + 1 < mine.size()
          && mine.get(j + 1).offset() - (mine.get(j).offset() + W) <= JOIN_GAP) {
        j++;
      }
      List<ZtocSkeleton.Hole> run = mine.subList(i, j + 1);
      IOException e = null;
      try {
        fetch(client, repository, run);
      } catch (IOException | RuntimeException x) {
        e = x instanceof IOException io ? io : new IOException(x.getMessage(), x);
        failed = failed == null ? e : failed;
      }
      lock.lock();
      try {
        for (ZtocSkeleton.Hole h : run) {
          CompletableFuture<Void> f = fetching.remove(h.spanId());
          if (e == null) {
            present.set(h.spanId());
            f.complete(null);
          } else {
            f.completeExceptionally(e);
          }
        }
      } finally {
        lock.unlock();
      }
      i = j + 1;
    }
    if (failed != null) {
      throw failed;
    }
    for (CompletableFuture<Void> f : theirs) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while waiting for a window");
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      }
    }
  }

  // one range request for holes close together; each is checked, then written, then marked
  private void fetch(RegistryClient client, String repository, List<ZtocSkeleton.Hole> run)
      throws IOException {
    long start = run.getFirst().offset();
    long end = run.getLast().offset() + W;
    byte[] body =
        client.readBlobRange(
            repository,
            ztoc,
            new ByteRange(start, end),
            in -> {
              byte[] b = in.readNBytes(Math.toIntExact(end - start));
              if (b.length != end - start) {
                throw new java.io.EOFException(
                    "zTOC " + ztoc + ": range [" + start + ", " + end + ") ended early");
              }
              return b;
            });
    fetchedBytes.addAndGet(body.length);
    for (ZtocSkeleton.Hole h : run) {
      ByteBuffer window = ByteBuffer.wrap(body, (int) (h.offset() - start), W);
      if (!matches(h, window.duplicate())) {
        throw new IOException(
            "checkpoint window of span "
                + h.spanId()
                + " in zTOC "
                + ztoc
                + " does not match the skeleton's digest "
                + h.sha256());
      }
      long pos = h.offset();
      while (window.hasRemaining()) {
        pos += file.write(window, pos);
      }
    }
  }

  private ByteBuffer read(long pos, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (file.read(b, pos + b.position()) < 0) {
        break;
      }
    }
    return b.flip();
  }

  private static boolean matches(ZtocSkeleton.Hole h, ByteBuffer window) {
    if (window.remaining() != W) {
      return false;
    }
    MessageDigest md = NativeSha256.create();
    md.update(window);
    return Digest.fromSha256(md.digest()).equals(h.sha256());
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
