package dev.finch.soci.ztoc;

import dev.finch.soci.ztoc.compression.GzipIndexer;
import dev.finch.soci.ztoc.compression.ZtocException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A push-style tar reader that turns the uncompressed layer into TOC entries while the bytes stream
 * past: it copies only header blocks (and PAX / GNU long-name bodies, at most 1 MiB) and skips file
 * data by counting, so memory does not depend on the layer.
 *
 * <p>Semantics follow Go {@code archive/tar} {@code Reader.Next} as used by soci's {@code
 * metadataFromTarReader}: PAX {@code x} and GNU {@code L}/{@code K} headers fold into the next
 * entry, header-only types (links, devices, dirs, fifos) have no data whatever their size field
 * says, and the archive ends after two zero blocks or at a clean end of input.
 */
final class TarTocParser implements GzipIndexer.UncompressedSink, GzipIndexer.EntryHint {
  private static final int BLOCK = TarHeaderBlock.BLOCK;

  /** Go's {@code maxSpecialFileSize}. */
  private static final int MAX_SPECIAL_SIZE = 1 << 20;

  private static final byte TYPE_REG = '0';
  private static final byte TYPE_REG_A = 0;
  private static final byte TYPE_LINK = '1';
  private static final byte TYPE_SYMLINK = '2';
  private static final byte TYPE_CHAR = '3';
  private static final byte TYPE_BLOCK = '4';
  private static final byte TYPE_DIR = '5';
  private static final byte TYPE_FIFO = '6';
  private static final byte TYPE_CONT = '7';
  private static final byte TYPE_PAX = 'x';
  private static final byte TYPE_PAX_GLOBAL = 'g';
  private static final byte TYPE_GNU_LONG_NAME = 'L';
  private static final byte TYPE_GNU_LONG_LINK = 'K';

  private enum State {
    HEADER,
    SPECIAL,
    SKIP,
    DONE
  }

  private final String label;
  private final byte[] block = new byte[BLOCK];
  private final List<FileMetadata> entries = new ArrayList<>();
  private State state = State.HEADER;
  private int fill;
  private long pos;
  private long skip;
  private long skippingData; // data size of the entry whose bytes are being skipped
  private boolean sawZeroBlock;
  private long archiveSize = -1;

  /** Offset of the first header (PAX / GNU long name included) of the entry being read. */
  private long entryStart = -1;

  private Map<String, String> pax;
  private String gnuLongName = "";
  private String gnuLongLink = "";
  private byte specialType;
  private byte[] special;
  private int specialFill;
  private long specialAt;

  /**
   * @param label prefix of error messages, e.g. {@code layer sha256:ab..}
   */
  TarTocParser(String label) {
    this.label = label;
  }

  @Override
  public void accept(MemorySegment segment, long offset, int length) throws ZtocException {
    try {
      feed(segment, offset, length);
    } catch (ZtocException e) {
      throw new ZtocException(label + ": " + e.getMessage(), e);
    }
  }

  /** Feeds a heap array (uncompressed layers). */
  void accept(byte[] buf, int off, int len) throws ZtocException {
    accept(MemorySegment.ofArray(buf), off, len);
  }

  private void feed(MemorySegment seg, long offset, int length) throws ZtocException {
    long p = offset;
    long end = offset + length;
    while (p < end && state != State.DONE) {
      switch (state) {
        case SKIP -> {
          long n = Math.min(skip, end - p);
          skip -= n;
          p += n;
          pos += n;
          if (skip == 0) {
            state = State.HEADER;
          }
        }
        case HEADER -> {
          int n = (int) Math.min(BLOCK - fill, end - p);
          MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, p, block, fill, n);
          fill += n;
          p += n;
          pos += n;
          if (fill == BLOCK) {
            fill = 0;
            onBlock(pos - BLOCK);
          }
        }
        case SPECIAL -> {
          int n = (int) Math.min(special.length - specialFill, end - p);
          MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, p, special, specialFill, n);
          specialFill += n;
          p += n;
          pos += n;
          if (specialFill == special.length) {
            onSpecialDone();
          }
        }
        case DONE -> throw new IllegalStateException("unreachable");
      }
    }
  }

  /**
   * Ends the input. Returns the entries and sets {@link #archiveSize()}: the bytes Go's reader
   * consumed (two zero blocks included), or the input length at a clean header boundary.
   */
  List<FileMetadata> finish() throws ZtocException {
    if (state != State.DONE) {
      boolean clean = state == State.HEADER && fill == 0 || state == State.SKIP && skip == 0;
      if (!clean) {
        throw new ZtocException(
            label + ": not a valid tar: unexpected end of data at uncompressed" + " offset " + pos);
      }
      archiveSize = pos;
      state = State.DONE;
    }
    return List.copyOf(entries);
  }

  long archiveSize() {
    return archiveSize;
  }

  private void onBlock(long at) throws ZtocException {
    if (TarHeaderBlock.isZero(block)) {
      if (sawZeroBlock) {
        archiveSize = pos;
        state = State.DONE;
      }
      sawZeroBlock = true;
      return;
    }
    if (sawZeroBlock) {
      throw new ZtocException(
          "not a valid tar: non-zero block at offset "
              + at
              + " after an end-of-archive zero block");
    }
    if (entryStart < 0) {
      entryStart = at;
    }
    TarHeaderBlock.Raw raw = TarHeaderBlock.parse(block, at);
    byte t = raw.typeflag();
    if (t == TYPE_PAX
        || t == TYPE_PAX_GLOBAL
        || t == TYPE_GNU_LONG_NAME
        || t == TYPE_GNU_LONG_LINK) {
      if (raw.size() > MAX_SPECIAL_SIZE) {
        throw new ZtocException(
            "not a valid tar: "
                + typeName(t)
                + " header at offset "
                + at
                + " is "
                + raw.size()
                + " bytes, more than the "
                + MAX_SPECIAL_SIZE
                + " allowed");
      }
      specialType = t;
      specialAt = at;
      special = new byte[(int) raw.size()];
      specialFill = 0;
      state = State.SPECIAL;
      if (special.length == 0) {
        onSpecialDone();
      }
      return;
    }
    onEntry(raw, at);
  }

  private void onSpecialDone() throws ZtocException {
    skipBytes(padding(special.length));
    switch (specialType) {
      case TYPE_PAX -> pax = PaxRecords.parse(special, special.length, specialAt);
      case TYPE_PAX_GLOBAL ->
          throw new ZtocException(
              "unsupported input tar entry 'g' (PAX global header) at offset " + specialAt);
      case TYPE_GNU_LONG_NAME -> gnuLongName = TarHeaderBlock.string(special, 0, special.length);
      case TYPE_GNU_LONG_LINK -> gnuLongLink = TarHeaderBlock.string(special, 0, special.length);
      default -> throw new IllegalStateException("not a special type: " + specialType);
    }
    special = null;
  }

  private void onEntry(TarHeaderBlock.Raw raw, long at) throws ZtocException {
    String name = raw.name();
    String linkname = raw.linkname();
    String uname = raw.uname();
    String gname = raw.gname();
    long uid = raw.uid();
    long gid = raw.gid();
    long size = raw.size();
    long mtime = raw.mtime();
    long mtimeNanos = 0;
    Map<String, String> records = pax == null ? Map.of() : pax;
    for (Map.Entry<String, String> e : records.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      if (k.startsWith(PaxRecords.GNU_SPARSE_PREFIX)) {
        throw new ZtocException("unsupported input tar entry: GNU sparse file at offset " + at);
      }
      if (v.isEmpty()) {
        continue;
      }
      switch (k) {
        case PaxRecords.PATH -> name = v;
        case PaxRecords.LINKPATH -> linkname = v;
        case PaxRecords.UNAME -> uname = v;
        case PaxRecords.GNAME -> gname = v;
        case PaxRecords.UID -> uid = PaxRecords.parseInt(k, v, at);
        case PaxRecords.GID -> gid = PaxRecords.parseInt(k, v, at);
        case PaxRecords.SIZE -> size = PaxRecords.parseInt(k, v, at);
        case PaxRecords.MTIME -> {
          long[] t = PaxRecords.parseTime(v, at);
          mtime = t[0];
          mtimeNanos = t[1];
        }
        case PaxRecords.ATIME, PaxRecords.CTIME -> PaxRecords.parseTime(v, at);
        default -> {}
      }
    }
    if (!gnuLongName.isEmpty()) {
      name = gnuLongName;
    }
    if (!gnuLongLink.isEmpty()) {
      linkname = gnuLongLink;
    }
    pax = null;
    gnuLongName = "";
    gnuLongLink = "";
    String type = typeString(raw.typeflag(), name, at);
    if (size < 0) {
      throw new ZtocException(
          "not a valid tar: entry at offset " + at + " has negative size " + size);
    }
    TocValidation.checkEntryName("tar entry", name);
    if (type.equals(FileMetadata.TYPE_HARDLINK)) {
      TocValidation.checkEntryName("hardlink target of " + TocValidation.quote(name), linkname);
    }
    entries.add(
        new FileMetadata(
            name,
            type,
            pos,
            size,
            linkname,
            raw.mode(),
            uid & 0xffffffffL,
            gid & 0xffffffffL,
            uname,
            gname,
            GoTime.marshalText(mtime, mtimeNanos),
            raw.devmajor(),
            raw.devminor(),
            new TreeMap<>(records),
            entryStart));
    entryStart = -1;
    long data = headerOnly(type) ? 0 : size;
    skipBytes(data + padding(data));
    skippingData = data;
  }

  @Override
  public long nextEntryAt() {
    return state == State.SKIP ? pos + skip : -1;
  }

  @Override
  public long currentEntrySize() {
    return state == State.SKIP ? skippingData : 0;
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private void skipBytes(long n) {
    skippingData = 0;
    skip = n;
    state = skip == 0 ? State.HEADER : State.SKIP;
  }

  private static boolean headerOnly(String type) {
    return !type.equals(FileMetadata.TYPE_REG);
  }

  private static String typeString(byte t, String name, long at) throws ZtocException {
    return switch (t) {
      case TYPE_REG, TYPE_CONT -> FileMetadata.TYPE_REG;
      case TYPE_REG_A -> name.endsWith("/") ? FileMetadata.TYPE_DIR : FileMetadata.TYPE_REG;
      case TYPE_LINK -> FileMetadata.TYPE_HARDLINK;
      case TYPE_SYMLINK -> FileMetadata.TYPE_SYMLINK;
      case TYPE_CHAR -> FileMetadata.TYPE_CHAR;
      case TYPE_BLOCK -> FileMetadata.TYPE_BLOCK;
      case TYPE_DIR -> FileMetadata.TYPE_DIR;
      case TYPE_FIFO -> FileMetadata.TYPE_FIFO;
      default ->
          throw new ZtocException(
              "unsupported input tar entry " + typeName(t) + " at offset " + at);
    };
  }

  private static String typeName(byte t) {
    return t >= 0x20 && t < 0x7f ? "'" + (char) t + "'" : String.format("'\\x%02x'", t & 0xff);
  }
}
