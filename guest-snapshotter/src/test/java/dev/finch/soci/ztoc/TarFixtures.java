package dev.finch.soci.ztoc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Hand-made tar blocks for cases a tar library will not write (bad names, odd typeflags). */
final class TarFixtures {
  private TarFixtures() {}

  /** A USTAR header block with a valid checksum. */
  static byte[] header(String name, char typeflag, long size, long mtime) {
    byte[] b = new byte[512];
    put(b, 0, name);
    putOctal(b, 100, 8, 0644);
    putOctal(b, 108, 8, 0);
    putOctal(b, 116, 8, 0);
    putOctal(b, 124, 12, size);
    putOctal(b, 136, 12, mtime);
    b[156] = (byte) typeflag;
    put(b, 257, "ustar\0");
    put(b, 263, "00");
    put(b, 265, "root");
    put(b, 297, "root");
    for (int i = 148; i < 156; i++) {
      b[i] = ' ';
    }
    long sum = 0;
    for (byte x : b) {
      sum += x & 0xff;
    }
    putOctal(b, 148, 7, sum);
    return b;
  }

  /** Header + data padded to 512. */
  static byte[] entry(String name, char typeflag, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header(name, typeflag, data.length, 1672531200L));
    out.writeBytes(data);
    out.writeBytes(new byte[(512 - data.length % 512) % 512]);
    return out.toByteArray();
  }

  /** A PAX record line with its self-inclusive length. */
  static String paxRecord(String key, String value) {
    String body = " " + key + "=" + value + "\n";
    int len = body.getBytes(StandardCharsets.UTF_8).length;
    int digits = Integer.toString(len).length();
    int total = len + digits;
    if (Integer.toString(total).length() != digits) {
      total++;
    }
    return total + body;
  }

  static byte[] tar(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void put(byte[] b, int off, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, b, off, bytes.length);
  }

  private static void putOctal(byte[] b, int off, int len, long v) {
    String s = Long.toOctalString(v);
    String padded = "0".repeat(len - 1 - s.length()) + s;
    put(b, off, padded);
    b[off + len - 1] = 0;
  }
}
