package dev.finch.soci.lazy.mount;

import dev.finch.soci.util.DurableFiles;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The on-disk span cache: the uncompressed spans of lazily mounted layers, one file per span at
 * {@code <dir>/<layer hex>/<span id>}. A span is written whole to a temporary file of a unique name
 * (two mounts of one layer may write the same span at once) and published with {@link
 * DurableFiles#publish}, so a file that exists holds a complete span that was checked against its
 * zTOC digest before it was written; that also holds after the daemon is killed or the machine
 * loses power, and a restarted daemon keeps what was fetched. Reads go through the page cache, so
 * no span data stays on the Java heap.
 *
 * <p>Bounded in bytes ({@code [cache] max_bytes}; 0 = unbounded): when a new span would exceed the
 * bound, the least recently read or written spans are deleted first. A reader that loses a race
 * with an eviction sees the span as missing and fetches it again. Thread-safe.
 */
public final class SpanStore {
  private static final String TMP_PREFIX = ".tmp-";

  private final Path dir;
  private final long maxBytes;

  /** "layerhex/span" to size, in access order: the first entry is evicted first. */
  private final LinkedHashMap<String, Long> lru = new LinkedHashMap<>(256, 0.75f, true);

  /**
   * Open span files, least recently read first, at most {@link #OPEN_SPANS}. A file read through
   * keeps its descriptor, and with it the kernel's readahead state: a descriptor opened per read
   * made every read of an uncached page one small disk request, and cost three more system calls.
   */
  private final LinkedHashMap<String, FileChannel> open = new LinkedHashMap<>(32, 0.75f, true);

  static final int OPEN_SPANS = 16;

  private long bytes;
  private long evictions;

  private SpanStore(Path dir, long maxBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
  }

  /**
   * Opens the cache at {@code dir}, keeping the spans already there (oldest first in eviction
   * order) and deleting temporary files a crash left behind.
   */
  public static SpanStore open(Path dir, long maxBytes) throws IOException {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes < 0");
    }
    Files.createDirectories(dir);
    SpanStore s = new SpanStore(dir, maxBytes);
    record Found(String key, long size, long mtime) {}
    List<Found> found = new ArrayList<>();
    try (DirectoryStream<Path> layers = Files.newDirectoryStream(dir)) {
      for (Path layer : layers) {
        if (!Files.isDirectory(layer)) {
          continue;
        }
        try (DirectoryStream<Path> spans = Files.newDirectoryStream(layer)) {
          for (Path p : spans) {
            String name = p.getFileName().toString();
            if (name.startsWith(TMP_PREFIX) || !name.chars().allMatch(Character::isDigit)) {
              Files.deleteIfExists(p);
              continue;
            }
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            found.add(
                new Found(
                    layer.getFileName() + "/" + name, a.size(), a.lastModifiedTime().toMillis()));
          }
        }
      }
    }
    found.sort(Comparator.comparingLong(Found::mtime));
    synchronized (s) {
      for (Found f : found) {
        s.lru.put(f.key(), f.size());
        s.bytes += f.size();
      }
      s.evict(null);
    }
    return s;
  }

  /** Whether the span is cached (without touching its recency). */
  synchronized boolean contains(String layer, int span) {
    return lru.containsKey(key(layer, span));
  }

  /**
   * Reads {@code dst.remaining()} bytes of a cached span starting at {@code offset} within it into
   * {@code dst}. Answers false, leaving {@code dst} as it was, when the span is not cached or its
   * file is not {@code spanLength} bytes long (which then is dropped).
   */
  boolean read(String layer, int span, long spanLength, long offset, ByteBuffer dst)
      throws IOException {
    String key = key(layer, span);
    int mark = dst.position();
    for (int attempt = 0; ; attempt++) {
      FileChannel ch = channel(key, spanLength);
      if (ch == null) {
        return false;
      }
      try {
        long pos = offset;
        while (dst.hasRemaining()) {
          int n = ch.read(dst, pos);
          if (n < 0) {
            throw new EOFException("span file " + path(key) + " ends at " + pos);
          }
          pos += n;
        }
        return true;
      } catch (ClosedChannelException e) {
        // closed under this read: evicted, pushed out of the open files, or another reader's
        // interrupt closed the shared descriptor; read again from a new one, unless it was ours
        dst.position(mark);
        closeChannel(key, ch);
        if (attempt > 0 || Thread.currentThread().isInterrupted()) {
          throw e;
        }
      }
    }
  }

  // The open span file, null if the span is not cached (or its file is not spanLength long, and it
  // is dropped); touches the span's recency.
  private FileChannel channel(String key, long spanLength) throws IOException {
    synchronized (this) {
      if (lru.get(key) == null) {
        return null;
      }
      FileChannel ch = open.get(key);
      if (ch != null) {
        return ch;
      }
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(path(key), StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      forget(key);
      return null;
    }
    if (ch.size() != spanLength) {
      ch.close();
      forget(key);
      return null;
    }
    FileChannel shut = null;
    synchronized (this) {
      FileChannel prior = lru.containsKey(key) ? open.putIfAbsent(key, ch) : null;
      if (prior != null || !lru.containsKey(key)) {
        shut = ch;
        ch = prior; // another read opened it first, or it was evicted meanwhile (null)
      } else if (open.size() > OPEN_SPANS) {
        Iterator<Map.Entry<String, FileChannel>> it = open.entrySet().iterator();
        shut = it.next().getValue();
        it.remove();
      }
    }
    closeQuietly(shut);
    return ch;
  }

  // Drops the span's open file if it is still ch (null: whatever it is) and closes it.
  private void closeChannel(String key, FileChannel ch) {
    FileChannel c;
    synchronized (this) {
      c = ch == null || open.get(key) == ch ? open.remove(key) : null;
    }
    closeQuietly(c);
    if (ch != null && c != ch) {
      closeQuietly(ch);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // a read-only descriptor: nothing was pending
      }
    }
  }

  /** The whole span, or null when it is not cached. */
  byte[] readAll(String layer, int span, int spanLength) throws IOException {
    byte[] b = new byte[spanLength];
    return read(layer, span, spanLength, 0, ByteBuffer.wrap(b)) ? b : null;
  }

  /** Stores a verified, uncompressed span, evicting older spans to stay within the bound. */
  void put(String layer, int span, byte[] data) throws IOException {
    try (Pending p = begin(layer, span)) {
      p.out().write(data);
      p.commit();
    }
  }

  /**
   * Starts writing a span: its bytes go to a temporary file that {@link Pending#commit} publishes
   * (and closing without a commit deletes), so a span appears only whole and only once verified.
   */
  Pending begin(String layer, int span) throws IOException {
    Path target = path(key(layer, span));
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), TMP_PREFIX, "");
    return new Pending(layer, span, tmp);
  }

  /** A span being written; see {@link #begin}. */
  final class Pending implements AutoCloseable {
    private final String layer;
    private final int span;
    private final Path tmp;
    private final java.io.OutputStream out;
    private long written;
    private boolean done;

    private Pending(String layer, int span, Path tmp) throws IOException {
      this.layer = layer;
      this.span = span;
      this.tmp = tmp;
      java.io.OutputStream file = Files.newOutputStream(tmp);
      this.out =
          new java.io.BufferedOutputStream(
              new java.io.FilterOutputStream(file) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                  out.write(b, off, len);
                  written += len;
                }

                @Override
                public void write(int b) throws IOException {
                  out.write(b);
                  written++;
                }
              },
              1 << 16);
    }

    java.io.OutputStream out() {
      return out;
    }

    /** Publishes the span under its name and accounts for it, evicting older spans as needed. */
    void commit() throws IOException {
      out.close();
      String key = key(layer, span);
      DurableFiles.publish(tmp, path(key));
      done = true;
      synchronized (SpanStore.this) {
        Long old = lru.put(key, written);
        bytes += written - (old == null ? 0 : old);
        if (old != null) {
          closeQuietly(open.remove(key)); // it reads the replaced file
        }
        evict(key);
      }
    }

    @Override
    public void close() throws IOException {
      if (!done) {
        try {
          out.close();
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    }
  }

  /** Deletes every cached span of a layer (its last mount went away). */
  void dropLayer(String layer) throws IOException {
    String prefix = layer + "/";
    synchronized (this) {
      Iterator<Map.Entry<String, Long>> it = lru.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<String, Long> e = it.next();
        if (e.getKey().startsWith(prefix)) {
          bytes -= e.getValue();
          it.remove();
          closeQuietly(open.remove(e.getKey()));
        }
      }
    }
    Path d = dir.resolve(layer);
    if (Files.isDirectory(d)) {
      try (DirectoryStream<Path> spans = Files.newDirectoryStream(d)) {
        for (Path p : spans) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(d);
    }
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int spans() {
    return lru.size();
  }

  synchronized long evictions() {
    return evictions;
  }

  // Deletes least recently used spans other than `keep` until the bound holds.
  private void evict(String keep) {
    if (maxBytes == 0) {
      return;
    }
    Iterator<Map.Entry<String, Long>> it = lru.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      if (e.getKey().equals(keep)) {
        continue;
      }
      closeQuietly(open.remove(e.getKey()));
      try {
        Files.deleteIfExists(path(e.getKey()));
      } catch (IOException x) {
        throw new UncheckedIOException("evicting span " + path(e.getKey()), x);
      }
      bytes -= e.getValue();
      evictions++;
      it.remove();
    }
  }

  private synchronized void forget(String key) {
    closeQuietly(open.remove(key));
    Long size = lru.remove(key);
    if (size != null) {
      bytes -= size;
    }
    try {
      Files.deleteIfExists(path(key));
    } catch (IOException ignored) {
      // a span file we cannot delete is simply fetched again; the next open() retries the delete
    }
  }

  private Path path(String key) {
    return dir.resolve(key);
  }

  private static String key(String layer, int span) {
    return layer + "/" + span;
  }
}
