package dev.finch.testkit.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * An image layer described in code and written as a deterministic tar: fixed mtimes, uid/gid 0,
 * entries in the order given, PAX headers for long names and big sizes. Large files are generated
 * from a seed while writing, so layers of hundreds of MiB never sit in memory.
 *
 * <pre>{@code
 * TarLayer layer = TarLayer.builder()
 *     .dir("bin")
 *     .file("bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755)
 *     .symlink("bin/sh", "busybox")
 *     .randomFile("data/big.bin", 20 << 20, 7)
 *     .whiteout("etc/removed")
 *     .build();
 * }</pre>
 */
public final class TarLayer {
  /** Default modification time of every entry: 2020-01-01T00:00:00Z. */
  public static final Instant DEFAULT_MTIME = Instant.parse("2020-01-01T00:00:00Z");

  /** One tar entry; {@link RandomFile} content is generated from its seed while writing. */
  public sealed interface Entry permits Dir, File, RandomFile, Symlink, Hardlink {
    String path();
  }

  public record Dir(String path, int mode) implements Entry {}

  public record File(String path, byte[] data, int mode) implements Entry {}

  public record RandomFile(String path, long size, long seed, int mode) implements Entry {}

  public record Symlink(String path, String target) implements Entry {}

  public record Hardlink(String path, String target) implements Entry {}

  private final List<Entry> entries;
  private final Instant mtime;

  private TarLayer(List<Entry> entries, Instant mtime) {
    this.entries = List.copyOf(entries);
    this.mtime = mtime;
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Entry> entries() {
    return entries;
  }

  /** Builds a layer entry by entry; paths are relative ("bin/sh"), a leading "/" is dropped. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();
    private Instant mtime = DEFAULT_MTIME;

    private Builder() {}

    public Builder dir(String path) {
      return dir(path, 0755);
    }

    public Builder dir(String path, int mode) {
      entries.add(new Dir(clean(path), mode));
      return this;
    }

    public Builder file(String path, byte[] data) {
      return file(path, data, 0644);
    }

    public Builder file(String path, byte[] data, int mode) {
      entries.add(new File(clean(path), data.clone(), mode));
      return this;
    }

    public Builder file(String path, String utf8) {
      return file(path, utf8.getBytes(StandardCharsets.UTF_8), 0644);
    }

    /** A file of {@code size} pseudo-random bytes from {@code seed} (same seed, same bytes). */
    public Builder randomFile(String path, long size, long seed) {
      entries.add(new RandomFile(clean(path), size, seed, 0644));
      return this;
    }

    public Builder symlink(String path, String target) {
      entries.add(new Symlink(clean(path), target));
      return this;
    }

    /** A hard link {@code path} to the earlier entry {@code target}. */
    public Builder hardlink(String path, String target) {
      entries.add(new Hardlink(clean(path), clean(target)));
      return this;
    }

    /** An OCI whiteout: deletes {@code path} from lower layers ({@code dir/.wh.name}). */
    public Builder whiteout(String path) {
      String p = clean(path);
      int slash = p.lastIndexOf('/');
      String wh = (slash < 0 ? "" : p.substring(0, slash + 1)) + ".wh." + p.substring(slash + 1);
      entries.add(new File(wh, new byte[0], 0644));
      return this;
    }

    /** An opaque-directory marker: hides everything lower layers have in {@code dir}. */
    public Builder opaque(String dir) {
      entries.add(new File(clean(dir) + "/.wh..wh..opq", new byte[0], 0644));
      return this;
    }

    /** Modification time for every entry. */
    public Builder mtime(Instant t) {
      this.mtime = t;
      return this;
    }

    public TarLayer build() {
      return new TarLayer(entries, mtime);
    }

    private static String clean(String p) {
      String s = p;
      while (s.startsWith("/")) {
        s = s.substring(1);
      }
      while (s.endsWith("/")) {
        s = s.substring(0, s.length() - 1);
      }
      if (s.isEmpty()) {
        throw new IllegalArgumentException("empty path");
      }
      return s;
    }
  }

  /** Writes the uncompressed tar (with end-of-archive blocks) to {@code out}; does not close it. */
  public void writeTar(OutputStream out) throws IOException {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out), "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    for (Entry e : entries) {
      switch (e) {
        case Dir d -> {
          TarArchiveEntry te = entry(d.path() + "/", TarConstants.LF_DIR, d.mode());
          tar.putArchiveEntry(te);
          tar.closeArchiveEntry();
        }
        case File f -> {
          TarArchiveEntry te = entry(f.path(), TarConstants.LF_NORMAL, f.mode());
          te.setSize(f.data().length);
          tar.putArchiveEntry(te);
          tar.write(f.data());
          tar.closeArchiveEntry();
        }
        case RandomFile r -> {
          TarArchiveEntry te = entry(r.path(), TarConstants.LF_NORMAL, r.mode());
          te.setSize(r.size());
          tar.putArchiveEntry(te);
          writeRandom(tar, r.size(), r.seed());
          tar.closeArchiveEntry();
        }
        case Symlink s -> {
          TarArchiveEntry te = entry(s.path(), TarConstants.LF_SYMLINK, 0777);
          te.setLinkName(s.target());
          tar.putArchiveEntry(te);
          tar.closeArchiveEntry();
        }
        case Hardlink h -> {
          TarArchiveEntry te = entry(h.path(), TarConstants.LF_LINK, 0644);
          te.setLinkName(h.target());
          tar.putArchiveEntry(te);
          tar.closeArchiveEntry();
        }
      }
    }
    tar.finish();
    tar.flush();
  }

  private TarArchiveEntry entry(String name, byte type, int mode) {
    TarArchiveEntry te = new TarArchiveEntry(name, type);
    te.setMode(modeBits(type) | (mode & 07777));
    te.setModTime(java.util.Date.from(mtime));
    te.setUserId(0);
    te.setGroupId(0);
    te.setUserName("");
    te.setGroupName("");
    return te;
  }

  private static int modeBits(byte type) {
    return switch (type) {
      case TarConstants.LF_DIR -> 040000;
      case TarConstants.LF_SYMLINK -> 0120000;
      default -> 0100000;
    };
  }

  /** The bytes {@link RandomFile} content is made of, for checking file contents in tests. */
  public static byte[] randomBytes(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static void writeRandom(OutputStream out, long size, long seed) throws IOException {
    // Generated in one sequence so that randomBytes(seed, n) equals the first n bytes.
    Random rnd = new Random(seed);
    byte[] buf = new byte[64 * 1024];
    long left = size;
    while (left > 0) {
      int n = (int) Math.min(buf.length, left);
      if (n == buf.length) {
        rnd.nextBytes(buf);
        out.write(buf);
      } else {
        byte[] tail = new byte[n];
        rnd.nextBytes(tail);
        out.write(tail);
      }
      left -= n;
    }
  }

  /** Lets the tar stream finish without closing the caller's stream. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
