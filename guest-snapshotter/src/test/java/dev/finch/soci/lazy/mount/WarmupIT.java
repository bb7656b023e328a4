package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.fs.FileContent;
import dev.finch.soci.spi.EventSink;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.MountCleaner;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's warm-up runs every part of the lazy-loading path and leaves nothing behind. */
class WarmupIT {
  @TempDir Path tmp;

  private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
  private final EventSink sink =
      new EventSink() {
        @Override
        public void event(String level, String event, String message, Map<String, ?> fields) {
          if (event.equals("warmup-done")) {
            events.add(Map.copyOf(fields));
          }
        }
      };

  @AfterEach
  void unmount() {
    MountCleaner.unmountUnder(tmp);
  }

  @Test
  void everyPartRunsAndTheRemoteReadReturnsTheLayersBytes() throws Exception {
    ContainerdFixture.assumeRoot(); // FUSE
    Path dir = tmp.resolve("warmup");
    new Warmup(dir, sink, UnaryOperator.identity()).run();
    assertThat(events).hasSize(1);
    Map<String, Object> f = events.getFirst();
    assertThat(f).doesNotContainKey("error").doesNotContainKey("stopped");
    assertThat(f)
        .containsEntry("fuse", true)
        .containsEntry("http", true)
        .containsEntry("remote", true);
    assertThat(Files.exists(dir.resolve("remote"))).as("its files are removed").isFalse();
    assertThat(MountCleaner.mountsUnder(dir)).as("nothing left mounted").isEmpty();
    // (remote: true says the read fetched at least one checkpoint window as well)
  }

  /**
   * Stopped while a read of its mount waits on the daemon (the 20th read blocks until interrupted):
   * the read is another process's, never the daemon's own, and the stop kills it, unmounts and
   * returns at once, leaving no mount, no mount point and no reader behind.
   */
  @Test
  void aStopInTheMiddleOfAReadKillsTheReaderAndUnmounts() throws Exception {
    ContainerdFixture.assumeRoot(); // FUSE
    Path dir = tmp.resolve("warmup");
    CountDownLatch blocked = new CountDownLatch(1);
    AtomicInteger reads = new AtomicInteger();
    UnaryOperator<FileContent> stall =
        served ->
            (file, offset, dst) -> {
              if (reads.incrementAndGet() == 20) {
                blocked.countDown();
                try {
                  Thread.sleep(TimeUnit.MINUTES.toMillis(10));
                } catch (InterruptedException e) {
                  throw new InterruptedIOException("unmounted");
                }
              }
              return served.read(file, offset, dst);
            };
    Warmup w = Warmup.start(dir, sink, stall);
    try {
      assertThat(blocked.await(30, TimeUnit.SECONDS)).as("a read reached the layer").isTrue();
      List<Path> mounts = MountCleaner.mountsUnder(dir);
      assertThat(mounts).hasSize(1);
      ProcessHandle reader = readerIn(mounts.getFirst()).orElseThrow();
      assertThat(reader.pid())
          .as("the mount is read by a child, not by this process")
          .isNotEqualTo(ProcessHandle.current().pid());

      long t0 = System.nanoTime();
      w.close();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).as("close returned in %d ms", ms).isLessThan(5_000);
      assertThat(reader.onExit().get(5, TimeUnit.SECONDS).isAlive()).isFalse();
      assertThat(MountCleaner.mountsUnder(dir)).as("nothing left mounted").isEmpty();
      try (Stream<Path> left = Files.list(dir)) {
        assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("mnt-"));
      }
      assertThat(events).hasSize(1);
      assertThat(events.getFirst()).containsEntry("stopped", true).doesNotContainKey("error");
    } finally {
      w.close();
    }
  }

  /** A mount point left by a daemon killed mid warm-up is unmounted and removed by the next one. */
  @Test
  void aStaleMountFromAKilledDaemonIsClearedByTheNextWarmUp() throws Exception {
    ContainerdFixture.assumeRoot(); // FUSE
    Path dir = tmp.resolve("warmup");
    Path stale = Files.createDirectories(dir.resolve("mnt-stale"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    var r =
        dev.finch.testkit.ContainerdProcess.run(
            List.of("mount", "--bind", src.toString(), stale.toString()),
            java.time.Duration.ofSeconds(10));
    assertThat(r.exitCode()).as(r.output()).isZero();
    new Warmup(dir, sink, UnaryOperator.identity()).run();
    assertThat(events.getFirst()).containsEntry("fuse", true);
    assertThat(MountCleaner.mountsUnder(dir)).isEmpty();
    assertThat(stale).doesNotExist();
  }

  // the process whose working directory is the mount point (the reader runs in it)
  private static Optional<ProcessHandle> readerIn(Path mountpoint) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        Optional<ProcessHandle> found =
            procs
                .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                .filter(p -> mountpoint.equals(cwd(p)))
                .map(p -> ProcessHandle.of(Long.parseLong(p.getFileName().toString())))
                .flatMap(Optional::stream)
                .findFirst();
        if (found.isPresent()) {
          return found;
        }
      }
      Thread.onSpinWait();
    }
    return Optional.empty();
  }

  private static Path cwd(Path proc) {
    try {
      return Files.readSymbolicLink(proc.resolve("cwd"));
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }
}
