package dev.finch.soci.fs.fuse;

import static dev.finch.soci.fs.fuse.FuseTestSupport.assertNoMountsUnder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.fs.EntryType;
import dev.finch.soci.fs.FileContent;
import dev.finch.soci.fs.LayerEntry;
import dev.finch.soci.fs.LayerTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer never changes, so once the kernel has seen a name, its attributes, a listing or a page,
 * it should never ask the daemon again: a walk is served by READDIRPLUS (no LOOKUP per name), opens
 * cost no round trip (FUSE_NO_OPEN_SUPPORT), and a second walk and read of the whole tree reach the
 * daemon not at all. Counted with {@link LayerMount#requests()} on a real mount.
 */
class KernelCachingTest {
  private static final int DIRS = 20;
  private static final int FILES_PER_DIR = 50;
  private static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

  @TempDir Path tmp;

  /** Byte {@code pos} of file number {@code fileNo}. */
  private static byte value(long fileNo, long pos) {
    return (byte) (fileNo * 31 + pos);
  }

  @Test
  void secondWalkAndReadOfTheTreeNeverReachTheDaemon() throws Exception {
    FuseTestSupport.requireRootAndFuse();
    List<LayerEntry> entries = new ArrayList<>();
    for (int d = 0; d < DIRS; d++) {
      entries.add(new LayerEntry("d" + d, EntryType.DIR, 0755, 0, 0, 0, "", 0, 0, T, Map.of(), 0));
      for (int f = 0; f < FILES_PER_DIR; f++) {
        long no = (long) d * FILES_PER_DIR + f;
        entries.add(
            new LayerEntry(
                "d" + d + "/f" + f, EntryType.REG, 0644, 0, 0, 100 + no, "", 0, 0, T, Map.of(), 0));
      }
    }
    LayerTree tree = LayerTree.build(entries);
    // file number `no` is 100 + no bytes long, so its size names it
    FileContent content =
        (file, off, dst) -> {
          long no = file.size() - 100;
          int n = 0;
          while (dst.hasRemaining() && off + n < file.size()) {
            dst.put(value(no, off + n));
            n++;
          }
          return n;
        };
    Path mnt = Files.createDirectory(tmp.resolve("mnt"));
    try (LayerMount m = LayerMount.mount(mnt, tree, content, MountOptions.defaults())) {
      long total = walkAndRead(mnt);
      LayerMount.Requests first = m.requests();
      assertThat(total).isEqualTo((long) DIRS * FILES_PER_DIR);
      assertThat(first.readdirplus()).as("listings carry attributes: %s", first).isPositive();
      assertThat(first.lookup())
          .as("names learnt from READDIRPLUS need no LOOKUP: %s", first)
          .isLessThanOrEqualTo(DIRS);
      assertThat(first.open())
          .as("the kernel stops asking after one ENOSYS: %s", first)
          .isLessThanOrEqualTo(2);
      assertThat(first.read()).as("one READ per small file: %s", first).isEqualTo(total);

      walkAndRead(mnt);
      assertThat(m.requests()).as("a second walk and read").isEqualTo(first);
    }
    assertNoMountsUnder(mnt);
  }

  /** Lists, stats and reads (checking the bytes) every file; answers how many. */
  private static long walkAndRead(Path mnt) throws IOException {
    long files = 0;
    try (Stream<Path> s = Files.walk(mnt)) {
      for (Path p : s.toList()) {
        BasicFileAttributes a =
            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
          continue;
        }
        String rel = mnt.relativize(p).toString();
        long no =
            Long.parseLong(rel.substring(1, rel.indexOf('/'))) * FILES_PER_DIR
                + Long.parseLong(rel.substring(rel.indexOf("/f") + 2));
        byte[] b = Files.readAllBytes(p);
        assertThat(b).as(rel).hasSize((int) (100 + no));
        for (int i = 0; i < b.length; i++) {
          if (b[i] != value(no, i)) {
            throw new AssertionError(rel + " byte " + i);
          }
        }
        files++;
      }
    }
    return files;
  }
}
