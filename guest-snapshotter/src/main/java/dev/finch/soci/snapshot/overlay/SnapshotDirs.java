package dev.finch.soci.snapshot.overlay;

import dev.finch.soci.snapshot.Kind;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The on-disk layout {@code <root>/snapshots/<id>/{fs,work}} and the directory operations on it.
 * {@code fs} is the bind source or overlay upperdir, {@code work} the overlay workdir; a snapshot
 * is built under {@code snapshots/new-*} and renamed into place so a half-made directory never
 * carries a snapshot id.
 */
final class SnapshotDirs {
  static final String TEMP_PREFIX = "new-";
  private final Path snapshots;

  SnapshotDirs(Path root) {
    this.snapshots = root.resolve("snapshots");
  }

  Path snapshotsDir() {
    return snapshots;
  }

  Path dir(String id) {
    return snapshots.resolve(id);
  }

  Path upper(String id) {
    return dir(id).resolve("fs");
  }

  Path work(String id) {
    return dir(id).resolve("work");
  }

  void ensureExists() throws IOException {
    if (!Files.isDirectory(snapshots)) {
      Files.createDirectories(snapshots);
      Files.setPosixFilePermissions(snapshots, PosixFilePermissions.fromString("rwx------"));
    }
  }

  /**
   * Creates {@code snapshots/new-*} with {@code fs} (0755) and, for active snapshots, {@code work}
   * (0711), as containerd's {@code prepareDirectory}. Modes are set explicitly so the umask does
   * not matter.
   */
  Path createTemp(Kind kind) throws IOException {
    Path td = Files.createTempDirectory(snapshots, TEMP_PREFIX);
    Path fs = Files.createDirectory(td.resolve("fs"));
    Files.setPosixFilePermissions(fs, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (kind == Kind.ACTIVE) {
      Path work = Files.createDirectory(td.resolve("work"));
      Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
    }
    return td;
  }

  /**
   * Gives {@code fs} the owner of the parent's {@code fs}, so a container sees consistent root
   * ownership.
   */
  void copyOwner(Path fromUpper, Path toUpper) throws IOException {
    Object uid = Files.getAttribute(fromUpper, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    Object gid = Files.getAttribute(fromUpper, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    if (!uid.equals(Files.getAttribute(toUpper, "unix:uid", LinkOption.NOFOLLOW_LINKS))) {
      Files.setAttribute(toUpper, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    }
    if (!gid.equals(Files.getAttribute(toUpper, "unix:gid", LinkOption.NOFOLLOW_LINKS))) {
      Files.setAttribute(toUpper, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }
  }

  /** Entry names directly under {@code snapshots/}. */
  List<String> list() throws IOException {
    try (Stream<Path> s = Files.list(snapshots)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The largest numeric directory name, or 0: ids at or below it must never be issued again. */
  long highestNumericId() throws IOException {
    long max = 0;
    for (String name : list()) {
      if (name.matches("[0-9]{1,18}")) {
        max = Math.max(max, Long.parseLong(name));
      }
    }
    return max;
  }

  /** {@code rm -rf} that does not follow symlinks; a missing path is fine. */
  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<IOException> errors = new ArrayList<>();
    Files.walkFileTree(
        p,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) {
            if (!(exc instanceof NoSuchFileException)) {
              errors.add(exc);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
    if (!errors.isEmpty()) {
      throw errors.getFirst();
    }
  }
}
