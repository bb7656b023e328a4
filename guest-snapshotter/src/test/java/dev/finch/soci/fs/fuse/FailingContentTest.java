package dev.finch.soci.fs.fuse;

import static dev.finch.soci.fs.fuse.FuseTestSupport.assertNoMountsUnder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.fs.FileContent;
import dev.finch.soci.fs.LayerNode;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.fs.SampleLayer;
import dev.finch.soci.fs.TestTar;
import dev.finch.soci.fs.UncompressedTarContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FileContent failures become EIO for that read only; the mount keeps serving and still unmounts.
 */
class FailingContentTest {
  @TempDir Path tmp;
  Path mnt;
  LayerTree tree;
  UncompressedTarContent tar;
  LayerMount mount;

  @BeforeEach
  void setUp() throws IOException {
    FuseTestSupport.requireRootAndFuse();
    Path file = SampleLayer.write(tmp.resolve("layer.tar"));
    tree = LayerTree.build(TestTar.entries(file));
    tar = UncompressedTarContent.open(file);
    mnt = Files.createDirectory(tmp.resolve("mnt"));
  }

  @AfterEach
  void tearDown() throws IOException {
    try {
      if (mount != null) {
        mount.close();
      }
    } finally {
      tar.close();
      assertNoMountsUnder(mnt);
    }
  }

  private long ino(String path) {
    return tree.resolve(path).orElseThrow().inode();
  }

  @Test
  void contentFailuresAreEioAndTheMountSurvives() throws IOException {
    long big = ino("a/big");
    long page = ino("a/page");
    long one = ino("a/one");
    FileContent content =
        (LayerNode.RegularFile f, long off, ByteBuffer dst) -> {
          if (f.inode() == big) {
            throw new IOException("span fetch failed");
          } else if (f.inode() == page) {
            return 0;
          } else if (f.inode() == one) {
            throw new IllegalStateException("bug in a FileContent");
          }
          return tar.read(f, off, dst);
        };
    mount = LayerMount.mount(mnt, tree, content);
    for (String path : new String[] {"a/big", "a/page", "a/one"}) {
      assertThatThrownBy(() -> Files.readAllBytes(mnt.resolve(path)))
          .as(path)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("Input/output error");
    }
    assertThat(Files.readString(mnt.resolve("opq/kept"))).isEqualTo("kept\n");
    assertThat(Files.size(mnt.resolve("a/big"))).isEqualTo(SampleLayer.BIG.length);
    assertThat(mount.isServing()).isTrue();
  }

  @Test
  void unmountInterruptsReadsBlockedInFileContent() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    FileContent blocking =
        (f, off, dst) -> {
          entered.countDown();
          try {
            new CountDownLatch(1).await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
          throw new IOException("unreachable");
        };
    mount = LayerMount.mount(mnt, tree, blocking);
    CompletableFuture<byte[]> reader =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return Files.readAllBytes(mnt.resolve("a/page"));
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    long start = System.nanoTime();
    mount.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(mount.isServing()).isFalse();
    assertThatThrownBy(() -> reader.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RuntimeException.class);
  }

  @Test
  void openKeepsThePageCacheSoRereadsDoNotHitFileContent() throws IOException {
    long page = ino("a/page");
    AtomicInteger calls = new AtomicInteger();
    mount =
        LayerMount.mount(
            mnt,
            tree,
            (f, off, dst) -> {
              if (f.inode() == page) {
                calls.incrementAndGet();
              }
              return tar.read(f, off, dst);
            });
    assertThat(Files.readAllBytes(mnt.resolve("a/page"))).isEqualTo(SampleLayer.PAGE);
    int afterFirst = calls.get();
    assertThat(afterFirst).isPositive();
    assertThat(Files.readAllBytes(mnt.resolve("a/page"))).isEqualTo(SampleLayer.PAGE);
    assertThat(calls.get()).as("second open served from the kept page cache").isEqualTo(afterFirst);
  }

  @Test
  void closeAfterAnExternalUnmountStillCleansUp() throws Exception {
    mount = LayerMount.mount(mnt, tree, tar);
    assertThat(Files.readString(mnt.resolve("opq/kept"))).isEqualTo("kept\n");
    FuseTestSupport.run("umount", mnt.toString());
    mount.close();
    assertThat(mount.isServing()).isFalse();
    mount.close();
  }

  /**
   * A process whose read waits in the filesystem dies of its signal at once, whichever way the
   * kernel reads. A page is first asked for by an asynchronous readahead request, which the process
   * does not wait for (a fatal signal ends its wait for the page); once that has failed, the kernel
   * asks again with a synchronous request, which it interrupts when the process gets a signal: the
   * wait behind it ends and the request answers EINTR. Meanwhile the mount serves other files.
   */
  @Test
  void aSignalToTheReadingProcessEndsAReadThatWaits() throws Exception {
    AtomicInteger entered = new AtomicInteger();
    AtomicInteger interrupted = new AtomicInteger();
    CountDownLatch never = new CountDownLatch(1);
    long page = ino("a/page");
    long big = ino("a/big");
    AtomicInteger pageReads = new AtomicInteger();
    FileContent waiting =
        (f, off, dst) -> {
          if (f.inode() != page && f.inode() != big) {
            return tar.read(f, off, dst);
          }
          if (f.inode() == page && pageReads.getAndIncrement() == 0) {
            throw new IOException("the readahead fails, so the kernel retries synchronously");
          }
          entered.incrementAndGet();
          try {
            never.await();
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw new java.io.InterruptedIOException("interrupted");
          }
          throw new IOException("unreachable");
        };
    mount = LayerMount.mount(mnt, tree, waiting);
    try {
      killReader("a/page", "TERM", entered);
      assertThat(interrupted.get()).as("the synchronous read was interrupted").isEqualTo(1);
      killReader("a/big", "INT", entered);
      assertThat(Files.readString(mnt.resolve("opq/kept"))).isEqualTo("kept\n");
      assertThat(mount.isServing()).isTrue();
    } finally {
      never.countDown();
    }
  }

  private void killReader(String path, String signal, AtomicInteger entered) throws Exception {
    int before = entered.get();
    // `exec` so the signal goes straight to cat, whose default action is to die
    Process cat =
        new ProcessBuilder("sh", "-c", "exec cat " + mnt.resolve(path) + " > /dev/null").start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (entered.get() == before && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(entered.get()).as("the read of %s reached the content", path).isGreaterThan(before);
    long start = System.nanoTime();
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(cat.pid())).start();
    assertThat(kill.waitFor()).isZero();
    assertThat(cat.waitFor(5, TimeUnit.SECONDS)).as("cat died of SIG%s", signal).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(cat.exitValue()).isEqualTo(128 + (signal.equals("TERM") ? 15 : 2));
  }
}
