package dev.finch.soci.snapshot;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code du}-style usage of a directory tree, as containerd's {@code continuity/fs.DiskUsage}:
 * every distinct (st_dev, st_ino) counts one inode and st_blocks * 512 bytes, the root included,
 * symlinks not followed.
 *
 * <p>Java's file attribute views do not expose st_blocks, so this calls {@code lstat(2)} through
 * the FFM API. st_dev, st_ino and st_blocks sit at offsets 0, 8 and 64 in {@code struct stat} on
 * both x86_64 and aarch64 Linux.
 */
final class DiskUsage {
  private static final long OFF_DEV = 0;
  private static final long OFF_INO = 8;
  private static final long OFF_BLOCKS = 64;
  private static final long STAT_SIZE = 256;
  private static final MethodHandle LSTAT =
      Linker.nativeLinker()
          .downcallHandle(
              Linker.nativeLinker().defaultLookup().find("lstat").orElseThrow(),
              FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

  private DiskUsage() {}

  private record InodeKey(long dev, long ino) {}

  static Usage of(Path root) throws IOException {
    Set<InodeKey> seen = new HashSet<>();
    long[] size = {0};
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = arena.allocate(STAT_SIZE, 8);
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
              count(dir);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
              count(file);
              return FileVisitResult.CONTINUE;
            }

            private void count(Path p) throws IOException {
              lstat(arena, p, st);
              if (seen.add(new InodeKey(st.get(ValueLayout.JAVA_LONG, OFF_DEV), st.get(ValueLayout.JAVA_LONG, OFF_INO)))) {
                size[0] += st.get(ValueLayout.JAVA_LONG, OFF_BLOCKS) * 512;
              }
            }
          });
    }
    return new Usage(size[0], seen.size());
  }

  private static void lstat(Arena arena, Path p, MemorySegment st) throws IOException {
    int rc;
    try {
      rc = (int) LSTAT.invokeExact(arena.allocateFrom(p.toString()), st);
    } catch (Throwable t) {
      throw new IOException("lstat " + p, t);
    }
    if (rc != 0) {
      throw new IOException("lstat " + p + " failed");
    }
  }
}
