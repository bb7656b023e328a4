package dev.finch.soci.ztoc;

import dev.finch.soci.ztoc.compression.ZtocException;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one 512-byte tar header block the way Go {@code archive/tar} {@code readHeader} does:
 * checksum (unsigned or signed sum), format by magic (V7, USTAR/PAX, GNU, STAR), octal or base-256
 * numbers, NUL-terminated strings, and the USTAR/STAR name prefix.
 */
final class TarHeaderBlock {
  static final int BLOCK = 512;

  private static final int NAME = 0;
  private static final int NAME_LEN = 100;
  private static final int MODE = 100;
  private static final int UID = 108;
  private static final int GID = 116;
  private static final int NUM8 = 8;
  private static final int SIZE = 124;
  private static final int MTIME = 136;
  private static final int NUM12 = 12;
  private static final int CHKSUM = 148;
  private static final int TYPEFLAG = 156;
  private static final int LINKNAME = 157;
  private static final int MAGIC = 257;
  private static final int VERSION = 263;
  private static final int UNAME = 265;
  private static final int GNAME = 297;
  private static final int NAME32 = 32;
  private static final int DEVMAJOR = 329;
  private static final int DEVMINOR = 337;
  private static final int PREFIX = 345;
  private static final int USTAR_PREFIX_LEN = 155;
  private static final int STAR_PREFIX_LEN = 131;
  private static final int GNU_ATIME = 345;
  private static final int GNU_CTIME = 357;
  private static final int STAR_TRAILER = 508;

  private static final byte[] MAGIC_USTAR = {'u', 's', 't', 'a', 'r', 0};
  private static final byte[] VERSION_USTAR = {'0', '0'};
  private static final byte[] MAGIC_GNU = {'u', 's', 't', 'a', 'r', ' '};
  private static final byte[] VERSION_GNU = {' ', 0};
  private static final byte[] TRAILER_STAR = {'t', 'a', 'r', 0};

  /** Format guess of one block. */
  enum Format {
    V7,
    USTAR,
    GNU,
    STAR
  }

  /**
   * The fields of one header block.
   *
   * @param typeflag raw type byte
   */
  record Raw(
      byte typeflag,
      String name,
      String linkname,
      long size,
      long mode,
      long uid,
      long gid,
      long mtime,
      String uname,
      String gname,
      long devmajor,
      long devminor) {}

  private TarHeaderBlock() {}

  static boolean isZero(byte[] b) {
    for (int i = 0; i < BLOCK; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Parses a non-zero block; {@code at} is its tar offset, for messages. */
  static Raw parse(byte[] b, long at) throws ZtocException {
    Format format = format(b, at);
    Numbers p = new Numbers(at);
    byte typeflag = b[TYPEFLAG];
    String name = string(b, NAME, NAME_LEN);
    String linkname = string(b, LINKNAME, NAME_LEN);
    long size = p.numeric(b, SIZE, NUM12, "size");
    long mode = p.numeric(b, MODE, NUM8, "mode");
    long uid = p.numeric(b, UID, NUM8, "uid");
    long gid = p.numeric(b, GID, NUM8, "gid");
    long mtime = p.numeric(b, MTIME, NUM12, "mtime");
    String uname = "";
    String gname = "";
    long devmajor = 0;
    long devminor = 0;
    if (format != Format.V7) {
      uname = string(b, UNAME, NAME32);
      gname = string(b, GNAME, NAME32);
      devmajor = p.numeric(b, DEVMAJOR, NUM8, "devmajor");
      devminor = p.numeric(b, DEVMINOR, NUM8, "devminor");
      String prefix =
          switch (format) {
            case USTAR -> string(b, PREFIX, USTAR_PREFIX_LEN);
            case STAR -> string(b, PREFIX, STAR_PREFIX_LEN);
            case GNU -> gnuTimesParse(b) ? "" : asciiOrEmpty(string(b, PREFIX, USTAR_PREFIX_LEN));
            case V7 -> "";
          };
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
    }
    if (size < 0) {
      throw new ZtocException(
          "not a valid tar: header at offset " + at + " has negative size " + size);
    }
    return new Raw(
        typeflag, name, linkname, size, mode, uid, gid, mtime, uname, gname, devmajor, devminor);
  }

  /** Go tolerates a pre-1.8 GNU writer bug: unparsable atime/ctime means the prefix is a name. */
  private static boolean gnuTimesParse(byte[] b) {
    try {
      Numbers p = new Numbers(0);
      if (b[GNU_ATIME] != 0) {
        p.numeric(b, GNU_ATIME, NUM12, "atime");
      }
      if (b[GNU_CTIME] != 0) {
        p.numeric(b, GNU_CTIME, NUM12, "ctime");
      }
      return true;
    } catch (ZtocException e) {
      return false;
    }
  }

  private static String asciiOrEmpty(String s) {
    return s.chars().allMatch(c -> c < 0x80) ? s : "";
  }

  private static Format format(byte[] b, long at) throws ZtocException {
    Numbers p = new Numbers(at);
    long stored;
    try {
      stored = p.octal(b, CHKSUM, NUM8, "checksum");
    } catch (ZtocException e) {
      throw new ZtocException("not a valid tar: invalid header checksum field at offset " + at);
    }
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      int c = (i >= CHKSUM && i < CHKSUM + NUM8) ? ' ' : b[i];
      unsigned += c & 0xff;
      signed += (byte) c;
    }
    if (stored != unsigned && stored != signed) {
      throw new ZtocException(
          "not a valid tar: header checksum at offset "
              + at
              + ": expected "
              + unsigned
              + ", got "
              + stored);
    }
    boolean ustarMagic = regionEquals(b, MAGIC, MAGIC_USTAR);
    if (ustarMagic && regionEquals(b, STAR_TRAILER, TRAILER_STAR)) {
      return Format.STAR;
    }
    if (ustarMagic) {
      return Format.USTAR;
    }
    if (regionEquals(b, MAGIC, MAGIC_GNU) && regionEquals(b, VERSION, VERSION_GNU)) {
      return Format.GNU;
    }
    return Format.V7;
  }

  private static boolean regionEquals(byte[] b, int off, byte[] expected) {
    for (int i = 0; i < expected.length; i++) {
      if (b[off + i] != expected[i]) {
        return false;
      }
    }
    return true;
  }

  /** Bytes up to the first NUL, as UTF-8. */
  static String string(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  /** Go's {@code parser.parseNumeric} / {@code parseOctal}, failing with the field name. */
  private record Numbers(long at) {
    long numeric(byte[] b, int off, int len, String field) throws ZtocException {
      if ((b[off] & 0x80) != 0) {
        int inv = (b[off] & 0x40) != 0 ? 0xff : 0;
        long x = 0;
        for (int i = 0; i < len; i++) {
          int c = (b[off + i] & 0xff) ^ inv;
          if (i == 0) {
            c &= 0x7f;
          }
          if ((x >>> 56) > 0) {
            throw invalid(field);
          }
          x = x << 8 | c;
        }
        if ((x >>> 63) > 0) {
          throw invalid(field);
        }
        return inv == 0xff ? ~x : x;
      }
      return octal(b, off, len, field);
    }

    long octal(byte[] b, int off, int len, String field) throws ZtocException {
      int start = off;
      int end = off + len;
      while (start < end && (b[start] == ' ' || b[start] == 0)) {
        start++;
      }
      while (end > start && (b[end - 1] == ' ' || b[end - 1] == 0)) {
        end--;
      }
      int nul = start;
      while (nul < end && b[nul] != 0) {
        nul++;
      }
      if (nul == start) {
        if (start == end) {
          return 0;
        }
        throw invalid(field);
      }
      long x = 0;
      for (int i = start; i < nul; i++) {
        int d = b[i] - '0';
        if (d < 0 || d > 7 || (x >>> 61) != 0) {
          throw invalid(field);
        }
        x = x << 3 | d;
      }
      return x;
    }

    private ZtocException invalid(String field) {
      return new ZtocException(
          "not a valid tar: invalid " + field + " field in header at offset " + at);
    }
  }
}
