package dev.finch.soci.snapshot;

import dev.finch.soci.sys.LibC;
import java.io.IOException;
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
 * <p>Java's file attribute views do not expose st_blocks, so each node is {@link LibC#lstat}ed.
 */
public final class DiskUsage {
  private DiskUsage() {}

  private record InodeKey(long dev, long ino) {}

  public static Usage of(Path root) throws IOException {
    Set<InodeKey> seen = new HashSet<>();
    long[] size = {0};
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            count(dir);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            count(file);
            return FileVisitResult.CONTINUE;
          }

          private void count(Path p) throws IOException {
            LibC.FileStat st = LibC.lstat(p);
            if (seen.add(new InodeKey(st.dev(), st.ino()))) {
              size[0] += st.blocks() * 512;
            }
          }
        });
    return new Usage(size[0], seen.size());
  }
}
