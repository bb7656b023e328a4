package dev.finch.soci.fs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * A small tar DSL for tests: write a layer tar, read it back as {@link LayerEntry} records with
 * offsets.
 */
public final class TestTar {
  /**
   * Default entry time: sub-second, so it goes through a PAX {@code mtime} record (commons-compress
   * keeps 100 ns).
   */
  public static final Instant MTIME = Instant.parse("2021-02-03T04:05:06.1234567Z");

  private final List<TarArchiveEntry> entries = new ArrayList<>();
  private final Map<TarArchiveEntry, byte[]> data = new HashMap<>();

  /** Adds a directory (name without trailing slash is fine). */
  public TestTar dir(String name, int mode, int uid, int gid) {
    TarArchiveEntry e =
        new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
    return add(e, mode, uid, gid, null);
  }

  /** Adds a regular file. */
  public TestTar file(String name, int mode, int uid, int gid, byte[] bytes) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
    e.setSize(bytes.length);
    return add(e, mode, uid, gid, bytes);
  }

  /** Adds a regular file with default owner 0:0 and mode 0644. */
  public TestTar file(String name, byte[] bytes) {
    return file(name, 0644, 0, 0, bytes);
  }

  /** Adds a symlink. */
  public TestTar symlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
    e.setLinkName(target);
    return add(e, 0777, 0, 0, null);
  }

  /** Adds a hard link to an earlier entry. */
  public TestTar hardlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
    e.setLinkName(target);
    return add(e, 0644, 0, 0, null);
  }

  /** Adds a character ({@code block=false}) or block device. */
  public TestTar device(String name, boolean block, int major, int minor, int mode) {
    TarArchiveEntry e =
        new TarArchiveEntry(name, block ? TarConstants.LF_BLK : TarConstants.LF_CHR);
    e.setDevMajor(major);
    e.setDevMinor(minor);
    return add(e, mode, 0, 0, null);
  }

  /** Adds a FIFO. */
  public TestTar fifo(String name, int mode) {
    return add(new TarArchiveEntry(name, TarConstants.LF_FIFO), mode, 0, 0, null);
  }

  /** Adds a PAX record to the most recent entry. */
  public TestTar pax(String key, String value) {
    entries.getLast().addPaxHeader(key, value);
    return this;
  }

  private TestTar add(TarArchiveEntry e, int mode, int uid, int gid, byte[] bytes) {
    e.setMode(mode);
    e.setUserId(uid);
    e.setGroupId(gid);
    e.setLastModifiedTime(FileTime.from(MTIME));
    entries.add(e);
    if (bytes != null) {
      data.put(e, bytes);
    }
    return this;
  }

  /** Writes the tar (POSIX long names and big numbers). */
  public Path write(Path tar) throws IOException {
    try (OutputStream out = Files.newOutputStream(tar);
        TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (TarArchiveEntry e : entries) {
        t.putArchiveEntry(e);
        byte[] b = data.get(e);
        if (b != null) {
          t.write(b);
        }
        t.closeArchiveEntry();
      }
    }
    return tar;
  }

  /** Reads a tar back as TOC entries in tar order, as the zTOC builder would record them. */
  public static List<LayerEntry> entries(Path tar) throws IOException {
    List<LayerEntry> out = new ArrayList<>();
    try (TarFile tf = new TarFile(tar)) {
      for (TarArchiveEntry e : tf.getEntries()) {
        out.add(
            new LayerEntry(
                e.getName(),
                type(e),
                e.getMode(),
                (int) e.getLongUserId(),
                (int) e.getLongGroupId(),
                e.isFile() ? e.getSize() : 0,
                e.getLinkName(),
                e.getDevMajor(),
                e.getDevMinor(),
                e.getLastModifiedTime().toInstant(),
                e.getExtraPaxHeaders(),
                e.getDataOffset()));
      }
    }
    return out;
  }

  private static EntryType type(TarArchiveEntry e) {
    if (e.isSymbolicLink()) {
      return EntryType.SYMLINK;
    } else if (e.isLink()) {
      return EntryType.HARDLINK;
    } else if (e.isCharacterDevice()) {
      return EntryType.CHAR;
    } else if (e.isBlockDevice()) {
      return EntryType.BLOCK;
    } else if (e.isFIFO()) {
      return EntryType.FIFO;
    } else if (e.isDirectory()) {
      return EntryType.DIR;
    }
    return EntryType.REG;
  }

  /** Deterministic pseudo-random bytes. */
  public static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** UTF-8 bytes. */
  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
