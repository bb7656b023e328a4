package dev.finch.soci.lazy.mount;

import dev.finch.process.CommandResult;
import dev.finch.process.CommandSpec;
import dev.finch.process.ProcessCommandRunner;
import dev.finch.soci.fs.FileContent;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.fs.fuse.LayerMount;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.NativeSha256;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.registry.RetryPolicy;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.sys.Umount;
import dev.finch.soci.util.FileTrees;
import dev.finch.soci.ztoc.Ztoc;
import dev.finch.soci.ztoc.ZtocBuilder;
import dev.finch.soci.ztoc.ZtocCodec;
import dev.finch.soci.ztoc.compression.Zinfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;

/**
 * Runs the lazy-loading path once, on a tiny layer made in memory, right after the daemon starts:
 * zTOC build, encode and decode, the index JSON, the layer tree, a FUSE mount under {@code
 * <root>/soci/warmup} read back through the kernel, and an HTTP request (to a closed loopback
 * port). The first real Prepare then finds these classes loaded, linked and partly compiled instead
 * of paying about a second for it while a container waits; and a machine where FUSE does not work
 * is reported at start ({@code warmup-done} with {@code fuse=false}) rather than at the first pull.
 *
 * <p>The mount is read by a child process ({@code cat}), never by a thread of the daemon: a thread
 * waiting in the kernel on a FUSE request that its own process serves cannot be killed, so a daemon
 * stopped or killed in the middle of such a read would hang for good on its own mount. {@link
 * #close} (the daemon's stop) kills the reader, force-unmounts and waits for the thread.
 */
public final class Warmup implements AutoCloseable {
  private static final String FILE = "warmup/hello.txt";
  private static final String REMOTE_FILE = "random.bin";
  private static final byte[] CONTENT =
      "lazy loading works\n".repeat(4000).getBytes(StandardCharsets.UTF_8);

  /**
   * Reads of the remote layer (6 spans and their windows each) and small files read through the
   * FUSE mount. A start that reads a few dozen files runs each step of these paths too few times
   * for the JIT, so cold they cost about three times as much per call; this many compiles them at
   * start, in about a second of one core, before a container waits on them.
   */
  static final int REMOTE_ROUNDS = 40;

  static final int FUSE_FILES = 250;

  /**
   * The repeated reads stop after this long, whatever is left (a slow machine, or an emulated VM,
   * should not spend its first seconds on them): the first round of each always runs.
   */
  static final long REPEAT_BUDGET_NANOS = 3_000_000_000L;

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  // files per cat, and how long one may take (a hung mount, not a slow machine)
  private static final int READ_BATCH = 50;
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final EventSink events;
  private final UnaryOperator<FileContent> served;
  private Thread thread; // set once by start
  private boolean stopping; // guarded by this
  private LayerMount mount; // guarded by this

  Warmup(Path dir, EventSink events, UnaryOperator<FileContent> served) {
    this.dir = dir;
    this.events = events;
    this.served = served;
  }

  /**
   * Runs the warm-up on a thread of its own; it reports {@code warmup-done} when it ends. Close the
   * handle to stop it.
   */
  public static Warmup start(Path dir, EventSink events) {
    return start(dir, events, UnaryOperator.identity());
  }

  // served wraps what the mount serves (tests make a read block)
  static Warmup start(Path dir, EventSink events, UnaryOperator<FileContent> served) {
    Warmup w = new Warmup(dir, events, served);
    w.thread = Thread.ofPlatform().name("soci-warmup").daemon().start(w::run);
    return w;
  }

  /**
   * Stops the warm-up if it still runs: kills the process reading the FUSE mount and unmounts it
   * (which fails a read still waiting on it) and waits for the thread, which then removes what it
   * made and reports {@code warmup-done} with {@code stopped=true}. Idempotent.
   */
  @Override
  public void close() {
    LayerMount m;
    synchronized (this) {
      stopping = true;
      m = mount;
    }
    if (thread != null) {
      thread.interrupt(); // kills a reader it waits for
    }
    if (m != null) {
      try {
        m.close();
      } catch (IOException e) {
        events.event("warn", "warmup-stop-failed", "cannot unmount the warm-up layer", Map.of());
      }
    }
    if (thread != null) {
      try {
        thread.join(STOP_TIMEOUT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private synchronized boolean stopping() {
    return stopping;
  }

  void run() {
    long t0 = System.nanoTime();
    Map<String, Object> f = new LinkedHashMap<>();
    try {
      byte[] blob = layer(FUSE_FILES);
      Digest digest = Digest.sha256(blob);
      f.put(
          "native_sha256",
          NativeSha256.available()
              && Digest.fromSha256(NativeSha256.create().digest(blob)).equals(digest));
      ZtocBuilder.Result built =
          new ZtocBuilder(16 << 10)
              .build(new ByteArrayInputStream(blob), MediaTypes.Compression.GZIP, digest);
      Ztoc ztoc =
          ZtocCodec.decode(built.encoded()); // the daemon's path: zTOC bytes from the registry
      Descriptor zd = Descriptor.of(MediaTypes.SOCI_ZTOC, built.digest(), built.size());
      SociIndex.parse(
          SociIndex.build(SociIndex.Version.V2, List.of(zd), null, SociIndex.BUILD_TOOL).bytes());
      LayerTree tree = LayerTree.build(ZtocLayers.entries(ztoc));
      Zinfo zinfo = ztoc.compressionInfo().zinfo();
      f.put(
          "fuse",
          fuse(
              tree,
              served.apply(
                  (file, offset, dst) -> {
                    long start = file.uncompressedOffset() + offset;
                    int span = zinfo.spanIdForUncompressedOffset(start);
                    long spanStart = zinfo.startUncompressedOffset(span);
                    long spanEnd =
                        zinfo.endUncompressedOffset(span, ztoc.uncompressedArchiveSize());
                    int len = (int) Math.min(dst.remaining(), spanEnd - start);
                    int cs = (int) zinfo.startCompressedOffset(span);
                    int ce = (int) zinfo.endCompressedOffset(span, ztoc.compressedArchiveSize());
                    byte[] out = new byte[(int) (spanEnd - spanStart)];
                    zinfo.extract(span, blob, cs, ce - cs, spanStart, out, 0, out.length);
                    dst.put(out, (int) (start - spanStart), len);
                    return len;
                  })));
      // The trust store is not loaded here: it costs about 6 MB for good and 0.25 s once, on the
      // first https registry (as Go loads its roots on first use); loopback registries never need
      // it.
      if (!stopping()) {
        f.put("http", http());
        f.put("remote", remote(dir.resolve("remote")));
      }
    } catch (IOException | RuntimeException e) {
      if (!stopping()) {
        f.put("error", String.valueOf(e.getMessage()));
      }
    }
    if (stopping()) {
      f.put("stopped", true);
    }
    f.put("duration_ms", (System.nanoTime() - t0) / 1_000_000);
    boolean failed = f.containsKey("error") || Boolean.FALSE.equals(f.get("fuse"));
    events.event(
        failed && !stopping() ? "warn" : "info", "warmup-done", "lazy-loading path warmed up", f);
  }

  /**
   * A tiny gzip layer (one directory, one 76 kB file), also used by the ahead-of-time training
   * runs.
   */
  public static byte[] sampleLayer() throws IOException {
    return layer(0);
  }

  // the sample layer with `small` more files, warmup/f<i>, of a few bytes each
  private static byte[] layer(int small) throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      tar(out, "warmup/", 0, '5');
      tar(out, FILE, CONTENT.length, '0');
      out.write(CONTENT);
      out.write(new byte[(512 - CONTENT.length % 512) % 512]);
      for (int i = 0; i < small; i++) {
        byte[] b = smallFile(i);
        tar(out, "warmup/f" + i, b.length, '0');
        out.write(b);
        out.write(new byte[512 - b.length]);
      }
      out.write(new byte[1024]);
    }
    return gz.toByteArray();
  }

  private static byte[] smallFile(int i) {
    return ("small file " + i + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  // One ustar header.
  private static void tar(OutputStream out, String name, long size, char type) throws IOException {
    byte[] h = new byte[512];
    put(h, 0, name);
    put(h, 100, "0000644");
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", size));
    put(h, 136, String.format("%011o", 1_600_000_000L));
    Arrays.fill(h, 148, 156, (byte) ' ');
    h[156] = (byte) type;
    put(h, 257, "ustar");
    put(h, 263, "00");
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    out.write(h);
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, at, b.length);
  }

  /**
   * Mounts the tree and has child processes ({@code cat}) read the big file, then the small ones in
   * batches, back through the kernel (each a lookup, an open, a read and a release, as a
   * container's start makes them); false if FUSE does not work here. No batch starts once half the
   * budget is spent.
   */
  private boolean fuse(LayerTree tree, FileContent content) throws IOException {
    Files.createDirectories(dir);
    clearStale(dir);
    Path mp = Files.createTempDirectory(dir, "mnt-");
    try {
      LayerMount m;
      try {
        m = LayerMount.mount(mp, tree, content);
      } catch (IOException e) {
        return false;
      }
      try (m) {
        synchronized (this) {
          if (stopping) {
            return true;
          }
          mount = m;
        }
        readBack(mp, List.of(FILE), CONTENT);
        long deadline = System.nanoTime() + REPEAT_BUDGET_NANOS / 2;
        for (int i = 0; i < FUSE_FILES && System.nanoTime() < deadline && !stopping(); ) {
          List<String> names = new ArrayList<>();
          ByteArrayOutputStream want = new ByteArrayOutputStream();
          for (int end = Math.min(FUSE_FILES, i + READ_BATCH); i < end; i++) {
            names.add("warmup/f" + i);
            want.write(smallFile(i));
          }
          readBack(mp, names, want.toByteArray());
        }
      } finally {
        synchronized (this) {
          mount = null;
        }
      }
      return true;
    } finally {
      Files.deleteIfExists(mp);
    }
  }

  // cat's output for the files must be want: ASCII, so it is compared as text
  private void readBack(Path mp, List<String> names, byte[] want) throws IOException {
    List<String> argv = new ArrayList<>(List.of("cat", "--"));
    argv.addAll(names);
    CommandResult r =
        new ProcessCommandRunner()
            .run(CommandSpec.of(argv).withWorkdir(mp).withTimeout(READ_TIMEOUT));
    String back = r.out();
    if (!stopping()
        && (r.exit() != 0 || !back.equals(new String(want, StandardCharsets.US_ASCII)))) {
      throw new IOException(
          "FUSE read back "
              + back.length()
              + " bytes that differ from the layer's "
              + want.length
              + " for "
              + names.getFirst()
              + (names.size() > 1 ? " and " + (names.size() - 1) + " more" : "")
              + " (cat exit "
              + r.exit()
              + ": "
              + r.err().strip()
              + ")");
    }
  }

  // A daemon killed during its warm-up leaves a dead mount: abort and detach it.
  private static void clearStale(Path dir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "mnt-*")) {
      for (Path p : s) {
        Umount.force(p);
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * The span manager's path end to end, on the sample layer served by a one-shot HTTP server on
   * loopback: the zTOC written from its skeleton, a container read that fetches a span and its
   * window by range reads, verifies them, inflates the span into a span cache and answers from it.
   * The first real read then finds that path loaded and linked (it cost about 0.15 s cold). Answers
   * whether the bytes read back are the layer's.
   */
  private boolean remote(Path dir) throws IOException {
    FileTrees.delete(dir);
    Files.createDirectories(dir);
    // seeded random bytes: stored deflate blocks, so the 16 KiB spans have windows to fetch
    byte[] random = new byte[96 << 10];
    new java.util.Random(1).nextBytes(random);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      tar(out, REMOTE_FILE, random.length, '0');
      out.write(random);
      out.write(new byte[(512 - random.length % 512) % 512]);
      out.write(new byte[1024]);
    }
    byte[] blob = gz.toByteArray();
    Digest digest = Digest.sha256(blob);
    byte[] ztoc =
        new ZtocBuilder(16 << 10)
            .build(new ByteArrayInputStream(blob), MediaTypes.Compression.GZIP, digest)
            .encoded();
    LayerTree tree = LayerTree.build(ZtocLayers.entries(ZtocCodec.decode(ztoc)));
    dev.finch.soci.ztoc.ZtocSkeleton sk = dev.finch.soci.ztoc.ZtocSkeleton.of(ztoc);
    if (sk == null) {
      return false; // cannot happen with random bytes: their spans' windows are not empty
    }
    Path sparse = dir.resolve("ztoc");
    try (java.nio.channels.FileChannel ch =
            java.nio.channels.FileChannel.open(
                sparse,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        RangeServer server =
            new RangeServer(Map.of(digest.toString(), blob, Digest.sha256(ztoc).toString(), ztoc));
        RegistryClient c =
            RegistryClient.builder("127.0.0.1:" + server.port())
                .plainHttp(true)
                .retryPolicy(new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)))
                .build()) {
      dev.finch.soci.fs.LayerNode.RegularFile file =
          (dev.finch.soci.fs.LayerNode.RegularFile) tree.resolve(REMOTE_FILE).orElseThrow();
      boolean ok = true;
      long deadline = System.nanoTime() + REPEAT_BUDGET_NANOS / 2;
      for (int round = 0; round < REMOTE_ROUNDS && ok; round++) {
        if (round > 0 && (System.nanoTime() > deadline || stopping())) {
          break;
        }
        // a new layer each round: nothing cached, so every span and window is fetched again
        ch.truncate(0);
        sk.writeSparse(ch);
        ch.force(false);
        Path spans = dir.resolve("spans-" + round);
        try (ZtocWindows windows = new ZtocWindows(sk, sparse, true)) {
          RemoteLayer layer =
              new RemoteLayer(
                  c,
                  "warmup",
                  digest,
                  ZtocCodec.decode(Files.readAllBytes(sparse)),
                  SpanStore.open(spans, 0),
                  RemoteLayer.DemandListener.NONE,
                  EventSink.discard(),
                  ReadRecorder.OFF,
                  windows);
          java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate(random.length);
          while (dst.hasRemaining()) {
            if (layer.read(file, dst.position(), dst) <= 0) {
              break;
            }
          }
          ok = Arrays.equals(dst.array(), random) && windows.fetchedBytes() > 0;
        }
        FileTrees.delete(spans);
      }
      return ok;
    } finally {
      FileTrees.delete(dir);
    }
  }

  /**
   * Answers {@code GET /v2/<repo>/blobs/<digest>} with {@code Range: bytes=a-b} from memory, one
   * keep-alive connection at a time, on loopback; anything else gets a 404. Only for the warm-up.
   */
  private static final class RangeServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Map<String, byte[]> blobs;
    private final Thread acceptor;

    RangeServer(Map<String, byte[]> blobs) throws IOException {
      this.blobs = blobs;
      this.socket = new ServerSocket(0, 4, java.net.InetAddress.getLoopbackAddress());
      this.acceptor = Thread.ofVirtual().name("soci-warmup-http").start(this::accept);
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          java.net.Socket conn = socket.accept();
          Thread.ofVirtual().start(() -> serve(conn));
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private void serve(java.net.Socket conn) {
      try (conn;
          java.io.BufferedReader in =
              new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      conn.getInputStream(), StandardCharsets.ISO_8859_1));
          OutputStream out = new java.io.BufferedOutputStream(conn.getOutputStream())) {
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
          String path = line.split(" ")[1];
          String range = null;
          String h;
          while ((h = in.readLine()) != null && !h.isEmpty()) {
            if (h.regionMatches(true, 0, "range:", 0, 6)) {
              range = h.substring(6).trim();
            }
          }
          byte[] blob = blobs.get(path.substring(path.lastIndexOf('/') + 1));
          if (blob == null || range == null || !range.startsWith("bytes=")) {
            out.write(
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
          } else {
            String[] ab = range.substring(6).split("-");
            int a = Integer.parseInt(ab[0]);
            int b = Math.min(Integer.parseInt(ab[1]), blob.length - 1);
            out.write(
                ("HTTP/1.1 206 Partial Content\r\nContent-Length: "
                        + (b - a + 1)
                        + "\r\nContent-Range: bytes "
                        + a
                        + "-"
                        + b
                        + "/"
                        + blob.length
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(blob, a, b - a + 1);
          }
          out.flush();
        }
      } catch (IOException | RuntimeException e) {
        // the warm-up's client went away; nothing to report
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      try {
        acceptor.join(Duration.ofSeconds(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Answers whether the HTTP client path ran (a refused connection to a port that was just closed).
   */
  private static boolean http() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RegistryClient c =
        RegistryClient.builder("127.0.0.1:" + port)
            .plainHttp(true)
            .retryPolicy(new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)))
            .connectTimeout(Duration.ofMillis(500))
            .build();
    try (c) {
      c.fetchBlobRange(
          "warmup/none", Digest.sha256(CONTENT), new dev.finch.soci.registry.ByteRange(0, 1));
      return true;
    } catch (RuntimeException expected) {
      return true;
    }
  }
}
