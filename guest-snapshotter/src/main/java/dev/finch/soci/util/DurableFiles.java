package dev.finch.soci.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one way our stores make a file survive a crash: write it under a sibling temporary name,
 * fsync its data, rename it over the target atomically, then fsync the directory so the rename
 * itself survives power loss. After a crash the target holds the old content or the new, never a
 * mix, and a file a caller was told is written is there.
 */
public final class DurableFiles {
  private DurableFiles() {}

  /** What writes a file's content into a stream (the stream is closed by {@link #write}). */
  @FunctionalInterface
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Replaces {@code target} with {@code data} durably (see the class comment). */
  public static void write(Path target, byte[] data) throws IOException {
    write(target, out -> out.write(data));
  }

  /**
   * Replaces {@code target} with what {@code body} writes, durably. The temporary file is {@code
   * <target>.tmp}: callers that may write one target from two threads at once serialize those
   * writes. A failing body leaves the target as it was and removes the temporary file.
   */
  public static void write(Path target, Body body) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream out = Channels.newOutputStream(ch);
      body.writeTo(out);
      out.flush();
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    rename(tmp, target);
  }

  /**
   * Publishes a file the caller has written in full at {@code tmp} (a sibling of {@code target}) as
   * {@code target}: fsyncs it, renames it atomically over {@code target}, fsyncs the directory.
   */
  public static void publish(Path tmp, Path target) throws IOException {
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    rename(tmp, target);
  }

  /** Flushes a directory's entries (creations, renames, deletions) to disk. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static void rename(Path tmp, Path target) throws IOException {
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(target.toAbsolutePath().getParent());
  }
}
