package dev.finch.soci.fs;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A node of a {@link LayerTree}: what one inode of the mounted layer looks like.
 *
 * <p>Hard links are the same node object reachable under several names. The variants map one to one
 * to POSIX file types; {@link Whiteout} is the overlayfs whiteout a {@code .wh.<name>} TOC entry
 * turns into (a character device 0/0 with no permission bits, owned by root, as soci's {@code
 * entryToWhAttr}).
 */
public sealed interface LayerNode
    permits LayerNode.RegularFile,
        LayerNode.Symlink,
        LayerNode.Device,
        LayerNode.Fifo,
        LayerNode.Whiteout,
        Directory {

  /** {@code S_IFMT}: mask of the file type bits in {@code st_mode}. */
  int S_IFMT = 0170000;

  /** {@code S_IFDIR}. */
  int S_IFDIR = 0040000;

  /** {@code S_IFREG}. */
  int S_IFREG = 0100000;

  /** {@code S_IFLNK}. */
  int S_IFLNK = 0120000;

  /** {@code S_IFCHR}. */
  int S_IFCHR = 0020000;

  /** {@code S_IFBLK}. */
  int S_IFBLK = 0060000;

  /** {@code S_IFIFO}. */
  int S_IFIFO = 0010000;

  /** Type-independent attributes. */
  NodeAttributes attributes();

  /** The {@code S_IF*} file type bits. */
  int typeBits();

  /** The inode number. */
  default long inode() {
    return attributes().inode();
  }

  /** Full {@code st_mode}: type bits plus permission/setuid/setgid/sticky bits. */
  default int mode() {
    return typeBits() | attributes().permissions();
  }

  /** {@code st_size}: data length for files, target length for symlinks, 0 otherwise. */
  default long size() {
    return 0;
  }

  /** {@code st_rdev} in glibc {@code makedev} encoding; 0 for non-devices. */
  default long rdev() {
    return 0;
  }

  /**
   * A regular file whose bytes are read through {@link FileContent}.
   *
   * @param attributes common attributes
   * @param size file length in bytes
   * @param uncompressedOffset offset of the data in the uncompressed layer tar
   */
  record RegularFile(NodeAttributes attributes, long size, long uncompressedOffset)
      implements LayerNode {
    @Override
    public int typeBits() {
      return S_IFREG;
    }
  }

  /**
   * A symbolic link.
   *
   * @param attributes common attributes
   * @param target the link target, verbatim from the TOC
   */
  record Symlink(NodeAttributes attributes, String target) implements LayerNode {
    /** Validates. */
    public Symlink {
      Objects.requireNonNull(target, "target");
    }

    @Override
    public int typeBits() {
      return S_IFLNK;
    }

    @Override
    public long size() {
      return target.getBytes(StandardCharsets.UTF_8).length;
    }
  }

  /**
   * A character or block device.
   *
   * @param attributes common attributes
   * @param block {@code true} for a block device
   * @param major device major number
   * @param minor device minor number
   */
  record Device(NodeAttributes attributes, boolean block, long major, long minor)
      implements LayerNode {
    @Override
    public int typeBits() {
      return block ? S_IFBLK : S_IFCHR;
    }

    @Override
    public long rdev() {
      return makedev(major, minor);
    }
  }

  /**
   * A named pipe.
   *
   * @param attributes common attributes
   */
  record Fifo(NodeAttributes attributes) implements LayerNode {
    @Override
    public int typeBits() {
      return S_IFIFO;
    }
  }

  /**
   * An overlayfs whiteout: character device 0/0, mode {@code c---------}, owner 0:0, nlink 1, the
   * mtime of its {@code .wh.} entry. overlayfs hides the same name in lower layers when it sees
   * one.
   *
   * @param attributes common attributes
   */
  record Whiteout(NodeAttributes attributes) implements LayerNode {
    @Override
    public int typeBits() {
      return S_IFCHR;
    }
  }

  /** glibc {@code gnu_dev_makedev}: the {@code dev_t} encoding {@code stat(2)} reports on Linux. */
  static long makedev(long major, long minor) {
    return ((major & 0xfffff000L) << 32)
        | ((major & 0xfffL) << 8)
        | ((minor & 0xffffff00L) << 12)
        | (minor & 0xffL);
  }
}
