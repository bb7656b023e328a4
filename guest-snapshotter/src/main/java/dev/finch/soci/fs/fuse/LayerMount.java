package dev.finch.soci.fs.fuse;

import dev.finch.soci.fs.FileContent;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.sys.LibFuse;
import dev.finch.soci.sys.Umount;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A layer mounted read-only through FUSE: the handle {@link #mount} returns, closed to unmount.
 *
 * <p>This drives libfuse3's <em>low-level</em> API ({@link LibFuse}: {@code fuse_session_new},
 * {@code fuse_session_mount}, {@code fuse_session_loop}): FUSE node ids are the {@link LayerTree}
 * inode numbers, so {@code st_ino}, hard links, {@code st_rdev} and the entry/attr/negative
 * timeouts are exactly what soci's go-fuse server reports. One platform thread runs the session
 * loop; reads are served on virtual threads (see {@link FuseOps}).
 *
 * <pre>{@code
 * LayerTree tree = LayerTree.build(entries);
 * try (LayerMount m = LayerMount.mount(dir, tree, content, MountOptions.defaults())) {
 *   // dir now shows the layer; overlayfs can use it as a lowerdir
 * }
 * }</pre>
 */
public final class LayerMount implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(LayerMount.class.getName());
  private static final Duration LOOP_EXIT_TIMEOUT = Duration.ofSeconds(30);

  private final Path mountpoint;
  private final Arena arena;
  private final MemorySegment session;
  private final ExecutorService readers;
  private final RequestCounts counts;
  private final Thread loop;
  private volatile int loopResult;
  private boolean closed;

  private LayerMount(
      Path mountpoint,
      Arena arena,
      MemorySegment session,
      ExecutorService readers,
      RequestCounts counts) {
    this.mountpoint = mountpoint;
    this.counts = counts;
    this.arena = arena;
    this.session = session;
    this.readers = readers;
    this.loop =
        Thread.ofPlatform().name("soci-fuse-loop " + mountpoint).daemon().unstarted(this::runLoop);
  }

  /** Mounts with {@link MountOptions#defaults()}. */
  public static LayerMount mount(Path mountpoint, LayerTree tree, FileContent content)
      throws IOException {
    return mount(mountpoint, tree, content, MountOptions.defaults());
  }

  /**
   * Mounts {@code tree} at {@code mountpoint} (an existing directory), serving file bytes from
   * {@code content}. Needs {@code /dev/fuse}, {@code libfuse3.so.3}, and root or a working {@code
   * fusermount3}; the JVM needs {@code --enable-native-access} for this module.
   *
   * @throws IOException if libfuse is missing, the options are rejected, or the mount fails
   */
  public static LayerMount mount(
      Path mountpoint, LayerTree tree, FileContent content, MountOptions options)
      throws IOException {
    Objects.requireNonNull(tree, "tree");
    Objects.requireNonNull(content, "content");
    Path mp = mountpoint.toAbsolutePath().normalize();
    if (!Files.isDirectory(mp)) {
      throw new IOException("mount point is not a directory: " + mp);
    }
    Path statfsDir =
        options.statfsPath() != null
            ? options.statfsPath().toAbsolutePath()
            : mp.getParent() != null ? mp.getParent() : mp.getRoot();
    Arena arena = Arena.ofShared();
    ExecutorService readers =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("soci-fuse-read-", 0).factory());
    try {
      FuseOps ops =
          new FuseOps(
              tree, content, options, arena.allocateFrom(statfsDir.toString()), readers, arena);
      MemorySegment se =
          LibFuse.sessionNew(arena, List.of("soci-fuse", "-o", options.fuseOptionString()), ops);
      if (se.equals(MemorySegment.NULL)) {
        throw new IOException("fuse_session_new rejected options " + options.fuseOptionString());
      }
      int rc = LibFuse.sessionMount(se, arena.allocateFrom(mp.toString()));
      if (rc != 0) {
        LibFuse.sessionDestroy(se);
        throw new IOException(
            "fuse_session_mount failed for " + mp + " (libfuse printed the reason on stderr)");
      }
      LayerMount m = new LayerMount(mp, arena, se, readers, ops.counts);
      m.loop.start();
      return m;
    } catch (IOException e) {
      readers.close();
      arena.close();
      throw e;
    } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
      readers.close();
      arena.close();
      throw new IOException("libfuse3 (" + LibFuse.LIBRARY + ") cannot be loaded: " + e, e);
    } catch (Throwable e) {
      readers.close();
      arena.close();
      throw new IOException("mounting " + mp + " failed: " + e, e);
    }
  }

  private void runLoop() {
    try {
      loopResult = LibFuse.sessionLoop(session);
    } catch (Throwable t) {
      loopResult = -1;
      LOG.log(System.Logger.Level.ERROR, "FUSE session loop for " + mountpoint + " crashed", t);
    }
  }

  /** The absolute mount point. */
  public Path mountpoint() {
    return mountpoint;
  }

  /**
   * The FUSE requests this mount has served so far, by kind (opendir counts as an open). What the
   * kernel answers from its own caches never shows here: a second walk or read of a tree should add
   * nothing.
   */
  public record Requests(
      long lookup, long getattr, long open, long readdir, long readdirplus, long read) {}

  /** The requests served so far. */
  public Requests requests() {
    return counts.snapshot();
  }

  /** Whether the session loop is still serving requests. */
  public boolean isServing() {
    return loop.isAlive();
  }

  /**
   * Unmounts ({@code umount2(MNT_FORCE)}, which aborts the FUSE connection like soci's unmount,
   * then {@code MNT_DETACH} if the mount is busy), waits for the session loop and in-flight reads
   * to finish, and frees the session. Reads still blocked in {@link FileContent} are interrupted.
   * Idempotent.
   *
   * @throws IOException if the kernel refuses the unmount or the loop does not stop
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      Umount.force(mountpoint);
    } catch (RuntimeException t) {
      throw new IOException("umount2(" + mountpoint + ") failed", t);
    }
    try {
      if (!loop.join(LOOP_EXIT_TIMEOUT)) {
        throw new IOException(
            "FUSE session loop for " + mountpoint + " did not stop within " + LOOP_EXIT_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while unmounting " + mountpoint, e);
    }
    closed = true;
    // The connection is gone, so pending replies can only fail; interrupt reads blocked in
    // FileContent.
    readers.shutdownNow();
    try {
      if (!readers.awaitTermination(LOOP_EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        // A read still holds a fuse_req of this session: freeing the session now would be a
        // use-after-free.
        LOG.log(
            System.Logger.Level.ERROR,
            "reads on " + mountpoint + " ignore interrupts; leaking the FUSE session");
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while unmounting " + mountpoint, e);
    }
    try {
      LibFuse.sessionDestroy(session);
    } catch (RuntimeException t) {
      throw new IOException("fuse_session_destroy failed", t);
    } finally {
      arena.close();
    }
    if (loopResult != 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "FUSE session loop for " + mountpoint + " ended with " + loopResult);
    }
  }
}
