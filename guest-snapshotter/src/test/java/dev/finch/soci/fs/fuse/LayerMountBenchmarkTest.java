package dev.finch.soci.fs.fuse;

import static dev.finch.soci.fs.fuse.FuseTestSupport.assertNoMountsUnder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.fs.EntryType;
import dev.finch.soci.fs.LayerEntry;
import dev.finch.soci.fs.LayerTree;
import dev.finch.soci.fs.UncompressedTarContent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures sequential read throughput through the mount against reading the backing file directly,
 * and stat latency over 10k files. Both sides read from the page cache (the backing file is
 * pre-read), so the difference is the FUSE path. Numbers go to stdout and {@code
 * target/fuse-benchmark.txt}.
 */
class LayerMountBenchmarkTest {
  private static final int MIB = 1024 * 1024;
  private static final int FILE_MIB = 256;
  private static final int ROUNDS = 3;
  private static final int STAT_FILES = 10_000;
  private static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

  @TempDir Path tmp;
  private final List<String> report = new ArrayList<>();

  private static LayerEntry file(String name, long size) {
    return new LayerEntry(name, EntryType.REG, 0644, 0, 0, size, "", 0, 0, T, Map.of(), 0);
  }

  private record ReadResult(long nanos, long checksum) {}

  private static ReadResult readAll(Path p) throws IOException {
    byte[] buf = new byte[MIB];
    CRC32C crc = new CRC32C();
    long start = System.nanoTime();
    try (InputStream in = Files.newInputStream(p)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        crc.update(buf, 0, n);
      }
    }
    return new ReadResult(System.nanoTime() - start, crc.getValue());
  }

  private static double mibPerSecond(long nanos) {
    return FILE_MIB / (nanos / 1e9);
  }

  @Test
  void sequentialReadThroughputAndStatLatency() throws Exception {
    FuseTestSupport.requireRootAndFuse();
    Path data = tmp.resolve("big.bin");
    byte[] block = new byte[MIB];
    Random r = new Random(7);
    try (OutputStream out = Files.newOutputStream(data)) {
      for (int i = 0; i < FILE_MIB; i++) {
        r.nextBytes(block);
        out.write(block);
      }
    }
    ReadResult warm = readAll(data);
    long[] direct = new long[ROUNDS];
    long[] fuse = new long[ROUNDS];
    LayerTree tree = LayerTree.build(List.of(file("big.bin", (long) FILE_MIB * MIB)));
    Path mnt = Files.createDirectory(tmp.resolve("mnt"));
    try (UncompressedTarContent content = UncompressedTarContent.open(data)) {
      for (int i = 0; i < ROUNDS; i++) {
        ReadResult d = readAll(data);
        assertThat(d.checksum()).isEqualTo(warm.checksum());
        direct[i] = d.nanos();
        try (LayerMount m =
            LayerMount.mount(mnt, tree, content, MountOptions.defaults().withStatfsPath(tmp))) {
          ReadResult f = readAll(m.mountpoint().resolve("big.bin"));
          assertThat(f.checksum()).isEqualTo(warm.checksum());
          fuse[i] = f.nanos();
        }
      }
    }
    assertNoMountsUnder(mnt);
    report.add(
        String.format(
            "sequential read %d MiB, 1 MiB buffer, backing file in page cache, fresh mount each round:",
            FILE_MIB));
    report.add("  direct file : " + rates(direct));
    report.add("  through FUSE: " + rates(fuse));
    statLatency(Files.createDirectory(tmp.resolve("mnt2")));
    treeBuildCost();
    String text = String.join("\n", report) + "\n";
    System.out.print(text);
    Files.writeString(Path.of("target", "fuse-benchmark.txt"), text, StandardCharsets.UTF_8);
  }

  private static String rates(long[] nanos) {
    long best = Arrays.stream(nanos).min().orElseThrow();
    return String.format(
        "best %.0f MiB/s, rounds %s",
        mibPerSecond(best),
        Arrays.stream(nanos).mapToObj(n -> String.format("%.0f", mibPerSecond(n))).toList());
  }

  private void statLatency(Path mnt) throws IOException {
    List<LayerEntry> entries = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < STAT_FILES; i++) {
      String name = String.format("d%02d/file-%05d", i % 10, i);
      entries.add(file(name, i));
      names.add(name);
    }
    LayerTree tree = LayerTree.build(entries);
    try (LayerMount m =
        LayerMount.mount(
            mnt,
            tree,
            (f, off, dst) -> {
              throw new IOException("not read in this benchmark");
            },
            MountOptions.defaults().withStatfsPath(tmp))) {
      for (String pass : List.of("first", "second")) {
        long listStart = System.nanoTime();
        int listed = 0;
        for (int d = 0; d < 10; d++) {
          try (var s = Files.list(m.mountpoint().resolve(String.format("d%02d", d)))) {
            listed += (int) s.count();
          }
        }
        long listNanos = System.nanoTime() - listStart;
        assertThat(listed).isEqualTo(STAT_FILES);
        report.add(
            String.format(
                "readdir of 10 dirs x 1000 entries, %s pass: %.1f ms total",
                pass, listNanos / 1e6));
      }
      for (String pass : List.of("cold (lookup+getattr)", "warm (within 1 s entry/attr timeout)")) {
        long[] lat = new long[STAT_FILES];
        long start = System.nanoTime();
        for (int i = 0; i < STAT_FILES; i++) {
          long t0 = System.nanoTime();
          BasicFileAttributes a =
              Files.readAttributes(
                  mnt.resolve(names.get(i)), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          lat[i] = System.nanoTime() - t0;
          assertThat(a.size()).isEqualTo(i);
        }
        long total = System.nanoTime() - start;
        Arrays.sort(lat);
        report.add(
            String.format(
                "stat of %d files, %s: total %.0f ms, mean %.1f us, p50 %.1f us, p99 %.1f us",
                STAT_FILES,
                pass,
                total / 1e6,
                total / 1e3 / STAT_FILES,
                lat[STAT_FILES / 2] / 1e3,
                lat[STAT_FILES * 99 / 100] / 1e3));
      }
    }
    assertNoMountsUnder(mnt);
  }

  /** Build time of a 200k-entry tree (a large image layer), best of 3 to discount JIT warm-up. */
  private void treeBuildCost() {
    int n = 200_000;
    List<LayerEntry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      entries.add(file(String.format("usr/share/d%03d/f%06d.txt", i % 500, i), i));
    }
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      LayerTree tree = LayerTree.build(entries);
      best = Math.min(best, System.nanoTime() - start);
      assertThat(tree.nodeCount()).isEqualTo(n + 503);
    }
    report.add(
        String.format(
            "LayerTree.build of %d entries in 500 dirs: best of 3 %.0f ms", n, best / 1e6));
  }
}
