package dev.finch.soci.ztoc;

import dev.finch.soci.oci.MediaTypes.Compression;
import dev.finch.soci.ztoc.compression.GzipZinfo;
import dev.finch.soci.ztoc.compression.TarZinfo;
import dev.finch.soci.ztoc.compression.Zinfo;
import dev.finch.soci.ztoc.compression.ZtocException;
import dev.finch.testkit.fuzz.FuzzTarget;
import dev.finch.testkit.fuzz.RandomText;
import dev.finch.testkit.image.TarLayer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Fuzz targets for what a layer and a zTOC carry: the gzip and tar checkpoint blobs (zinfo), and
 * the layer itself as {@code soci create} reads it: tar headers and PAX records, uncompressed and
 * gzip-compressed.
 */
public final class ZtocFuzzTargets {
  private static final int BLOCK = 512;
  private static final long SPAN = 4096;

  /** The uncompressed size of the shared vectors' layer.tar.gz. */
  private static final long TAR_SIZE = 512_000;

  private ZtocFuzzTargets() {}

  public static List<FuzzTarget> all() {
    return List.of(zinfoGzip(), zinfoTar(), tar(), gzip());
  }

  /** A small layer with every entry kind the builder handles, PAX names included. */
  public static byte[] sampleTar() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      TarLayer.builder()
          .dir("etc")
          .file("etc/hosts", "127.0.0.1 localhost\n")
          .file("etc/" + "long-".repeat(30) + "name", "pax path")
          .file("etc/é-ünicode", "x")
          .symlink("etc/link", "hosts")
          .hardlink("etc/hard", "etc/hosts")
          .randomFile("bin/blob", 9000, 7)
          .whiteout("old")
          .opaque("etc")
          .build()
          .writeTar(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static FuzzTarget zinfoGzip() {
    byte[] blob = Vectors.bytes("layer.tar.gz");
    return FuzzTarget.builder(
            "zinfo-gzip",
            in -> {
              Zinfo z = Zinfo.of(Compression.GZIP, in);
              z.checkFits(blob.length, TAR_SIZE); // as a zTOC's decode does
              useSpans(z, blob, blob.length, TAR_SIZE);
            })
        .seed(Vectors.bytes("layer.zinfo.span65536.bin"))
        .seed(smallGzipZinfo())
        .typed(ZtocException.class)
        .maxInputSize(1 << 20)
        .build();
  }

  static FuzzTarget zinfoTar() {
    byte[] tar = Vectors.bytes("layer.tar");
    return FuzzTarget.builder(
            "zinfo-tar",
            in -> {
              Zinfo z = Zinfo.of(Compression.UNCOMPRESSED, in);
              // the sizes as a zTOC of this zinfo's own layer would give them
              long size = ((TarZinfo) z).size();
              z.checkFits(size, size);
              useSpans(z, tar, size, size);
            })
        .seed(Vectors.bytes("layer.tar.tarzinfo.bin"))
        .seed(new TarZinfo(1, 1).toBytes())
        .typed(ZtocException.class)
        .maxInputSize(4096)
        .build();
  }

  /**
   * Uses a span map the way the daemon does for a layer of these sizes: every span's ranges, the
   * span of some offsets, and the first bytes of a few spans inflated from the real blob.
   */
  public static void useSpans(Zinfo z, byte[] blob, long compressedSize, long uncompressedSize)
      throws IOException {
    int spans = z.maxSpanId() + 1;
    for (int s = 0; s < Math.min(spans, 4096); s++) {
      long cs = z.startCompressedOffset(s);
      long ce = z.endCompressedOffset(s, compressedSize);
      long us = z.startUncompressedOffset(s);
      long ue = z.endUncompressedOffset(s, uncompressedSize);
      if (cs < 0 || ce < cs || us < 0 || ue < us) {
        throw new AssertionError(
            "span " + s + ": compressed [" + cs + ", " + ce + "), tar [" + us + ", " + ue + ")");
      }
    }
    for (long off : new long[] {0, 1, uncompressedSize / 2, uncompressedSize - 1}) {
      if (off < 0 || off >= uncompressedSize) {
        continue;
      }
      int s = z.spanIdForUncompressedOffset(off);
      if (s < 0 || s >= spans) {
        throw new AssertionError("offset " + off + " in span " + s + " of " + spans);
      }
    }
    for (int s : new int[] {0, spans / 2, spans - 1}) {
      if (s < 0 || s >= spans) {
        continue; // an empty layer has no span
      }
      long cs = z.startCompressedOffset(s);
      long ce = Math.min(z.endCompressedOffset(s, compressedSize), blob.length);
      long len =
          Math.min(
              z.endUncompressedOffset(s, uncompressedSize) - z.startUncompressedOffset(s), 8192);
      if (cs >= ce || cs >= blob.length) {
        continue;
      }
      z.inflateSpan(
          s,
          new ByteArrayInputStream(blob, (int) cs, (int) (ce - cs)),
          len,
          OutputStream.nullOutputStream());
    }
  }

  static FuzzTarget tar() {
    return FuzzTarget.builder(
            "tar",
            in -> {
              ZtocBuilder.Result r =
                  new ZtocBuilder(SPAN)
                      .build(new ByteArrayInputStream(in), Compression.UNCOMPRESSED, null);
              ZtocCodec.decode(r.encoded()); // what was built must read back
            })
        .seed(sampleTar())
        .seed(
            TarFixtures.tar(
                TarFixtures.entry(
                    "././@PaxHeader",
                    'x',
                    (TarFixtures.paxRecord("path", "pax/name")
                            + TarFixtures.paxRecord("mtime", "1700000000.123456789")
                            + TarFixtures.paxRecord("SCHILY.xattr.user.a", "b"))
                        .getBytes(StandardCharsets.UTF_8)),
                TarFixtures.entry("short", '0', "data".getBytes(StandardCharsets.UTF_8)),
                TarFixtures.entry("././@LongLink", 'L', "gnu/long/name".getBytes()),
                TarFixtures.entry("x", '0', new byte[0])))
        .typed(ZtocException.class)
        .generator(ZtocFuzzTargets::randomTar)
        .fixup(ZtocFuzzTargets::fixChecksums)
        .dictionary(
            "ustar\0",
            "00",
            "ustar  \0",
            "PaxHeader",
            " path=",
            " size=",
            " mtime=",
            " linkpath=",
            "GNU.sparse.map",
            "SCHILY.xattr.",
            "../",
            "\n")
        .maxInputSize(256 << 10)
        .build();
  }

  static FuzzTarget gzip() {
    return FuzzTarget.builder(
            "gzip",
            in -> {
              ZtocBuilder.Result r =
                  new ZtocBuilder(SPAN).build(new ByteArrayInputStream(in), Compression.GZIP, null);
              ZtocCodec.decode(r.encoded());
            })
        .seed(TarFixtures.gzip(sampleTar()))
        .seed(TarFixtures.gzip(TarFixtures.tar(TarFixtures.entry("a", '0', new byte[700]))))
        .typed(ZtocException.class)
        .generator(r -> TarFixtures.gzip(fixChecksums(randomTar(r))))
        .maxInputSize(256 << 10)
        .build();
  }

  /** A zinfo of a small gzip layer, several checkpoints at a 4 KiB span size. */
  private static byte[] smallGzipZinfo() {
    try {
      Ztoc z =
          new ZtocBuilder(SPAN)
              .build(
                  new ByteArrayInputStream(TarFixtures.gzip(sampleTar())), Compression.GZIP, null)
              .ztoc();
      return GzipZinfo.parse(z.compressionInfo().checkpoints()).toBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Recomputes the checksum of every block with a ustar or GNU magic, as a writer would. */
  static byte[] fixChecksums(byte[] tar) {
    byte[] b = tar.clone();
    for (int at = 0; at + BLOCK <= b.length; at += BLOCK) {
      if (b[at + 257] != 'u' || b[at + 258] != 's' || b[at + 259] != 't') {
        continue;
      }
      for (int i = 148; i < 156; i++) {
        b[at + i] = ' ';
      }
      long sum = 0;
      for (int i = 0; i < BLOCK; i++) {
        sum += b[at + i] & 0xff;
      }
      byte[] octal = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(octal, 0, b, at + 148, Math.min(octal.length, 6));
      b[at + 154] = 0;
    }
    return b;
  }

  private static final List<String> NAMES =
      List.of(
          "a",
          "dir/",
          "./x",
          "/abs",
          "..",
          "a/../../b",
          "a/./b//c",
          "é",
          ".wh.x",
          "d/.wh..wh..opq",
          "n".repeat(100),
          "p/" + "q".repeat(254),
          "");
  private static final List<String> PAX_KEYS =
      List.of(
          "path",
          "linkpath",
          "size",
          "uid",
          "gid",
          "uname",
          "gname",
          "mtime",
          "atime",
          "ctime",
          "GNU.sparse.map",
          "SCHILY.xattr.user.k",
          "SCHILY.xattr.security.capability",
          "comment");
  private static final byte[] TYPES = {
    '0', 0, '1', '2', '3', '4', '5', '6', '7', 'x', 'g', 'L', 'K', 'S', 'A', 'V', 'M', 'N'
  };

  /** 1 to 5 entries with random header fields, PAX records and GNU long names. */
  static byte[] randomTar(Random r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int entries = 1 + r.nextInt(5);
    for (int e = 0; e < entries; e++) {
      byte type = TYPES[r.nextInt(TYPES.length)];
      byte[] data;
      if (type == 'x' || type == 'g') {
        StringBuilder pax = new StringBuilder();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          String key = RandomText.pick(r, PAX_KEYS);
          String value = r.nextBoolean() ? RandomText.number(r) : RandomText.pick(r, NAMES);
          pax.append(
              r.nextInt(5) == 0
                  ? RandomText.number(r) + " " + key + "=" + value + "\n"
                  : TarFixtures.paxRecord(key, value));
        }
        data = pax.toString().getBytes(StandardCharsets.UTF_8);
      } else if (type == 'L' || type == 'K') {
        data = RandomText.pick(r, NAMES).getBytes(StandardCharsets.UTF_8);
      } else {
        data = new byte[r.nextInt(3) == 0 ? r.nextInt(2000) : 0];
        r.nextBytes(data);
      }
      byte[] h = new byte[BLOCK];
      put(h, 0, 100, RandomText.pick(r, NAMES));
      numeric(r, h, 100, 8); // mode
      numeric(r, h, 108, 8); // uid
      numeric(r, h, 116, 8); // gid
      if (r.nextInt(4) == 0) {
        numeric(r, h, 124, 12);
      } else {
        put(h, 124, 12, String.format("%011o", data.length));
      }
      numeric(r, h, 136, 12); // mtime
      h[156] = type;
      put(h, 157, 100, r.nextBoolean() ? "" : RandomText.pick(r, NAMES));
      switch (r.nextInt(3)) {
        case 0 -> put(h, 257, 8, "ustar\u000000");
        case 1 -> put(h, 257, 8, "ustar  ");
        default -> {}
      }
      put(h, 265, 32, r.nextBoolean() ? "root" : "");
      numeric(r, h, 329, 8);
      numeric(r, h, 337, 8);
      if (r.nextInt(3) == 0) {
        put(h, 345, 155, RandomText.pick(r, NAMES));
      }
      out.writeBytes(h);
      out.writeBytes(data);
      out.writeBytes(new byte[(BLOCK - data.length % BLOCK) % BLOCK]);
    }
    out.writeBytes(new byte[r.nextInt(3) * BLOCK]);
    return out.toByteArray();
  }

  // an octal field, a base-256 one (positive or negative), or garbage
  private static void numeric(Random r, byte[] h, int off, int len) {
    switch (r.nextInt(5)) {
      case 0 -> {
        h[off] = (byte) (0x80 | (r.nextBoolean() ? 0x40 : 0));
        for (int i = 1; i < len; i++) {
          h[off + i] = (byte) r.nextInt(256);
        }
      }
      case 1 -> put(h, off, len, RandomText.number(r));
      case 2 -> put(h, off, len, "7".repeat(len - 1));
      default -> put(h, off, len, String.format("%0" + (len - 1) + "o", r.nextInt(1 << 20)));
    }
  }

  private static void put(byte[] h, int off, int len, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(b, 0, h, off, Math.min(b.length, len));
  }
}
