package dev.finch.testkit;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Unmounts what fixtures left mounted under their directories, then deletes the directories. */
public final class MountCleaner {
  private MountCleaner() {}

  /**
   * Mount points under {@code dir} (inclusive), deepest first, from {@code /proc/self/mountinfo}.
   */
  public static List<Path> mountsUnder(Path dir) {
    List<Path> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4) {
          Path mp = Path.of(unescape(f[4]));
          if (mp.startsWith(dir)) {
            out.add(mp);
          }
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    out.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    return out;
  }

  /**
   * {@code umount -f -l} for every mount point under {@code dir}, deepest first: the force aborts a
   * FUSE connection first, so a mount whose daemon is gone or hung fails its requests instead of
   * hanging whatever touches it next (a walk of the tree, say).
   */
  public static void unmountUnder(Path dir) {
    for (Path mp : mountsUnder(dir)) {
      ContainerdProcess.run(List.of("umount", "-f", "-l", mp.toString()), Duration.ofSeconds(30));
    }
  }

  /**
   * Unmounts what is mounted under {@code dir} ({@link #unmountUnder}), then deletes it recursively
   * without following symlinks; reports (not throws) what remains.
   */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    unmountUnder(dir);
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              quietDelete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) {
              quietDelete(d);
              return FileVisitResult.CONTINUE;
            }
          });
      if (Files.exists(dir)) {
        System.err.println("testkit: could not delete all of " + dir);
      }
    } catch (IOException e) {
      System.err.println("testkit: could not delete " + dir + ": " + e);
    }
  }

  private static void quietDelete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // reported once for the whole tree
    }
  }

  // mountinfo escapes space, tab, newline and backslash as \ooo octal.
  private static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        try {
          b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
          i += 3;
          continue;
        } catch (NumberFormatException e) {
          // not an escape; keep the backslash
        }
      }
      b.append(c);
    }
    return b.toString();
  }
}
