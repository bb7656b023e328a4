package dev.finch.testkit;

import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The HTTP/1.1 framing {@link FaultProxy} needs: message heads (start line and headers), bodies
 * with Content-Length or chunked transfer coding in both directions. Heads are ISO-8859-1, as the
 * RFC has it; lines and header counts are bounded so a broken peer cannot make the proxy buffer
 * without limit.
 */
final class HttpWire {
  static final String CRLF = "\r\n";
  private static final int MAX_LINE = 64 * 1024;
  private static final int MAX_HEADERS = 256;

  private HttpWire() {}

  /** One header field as it came, name case kept. */
  record Header(String name, String value) {
    boolean is(String other) {
      return name.equalsIgnoreCase(other);
    }
  }

  /** A request or status line and its header fields, in order. */
  record Head(String startLine, List<Header> headers) {
    /** The first value of {@code name} (any case), or null. */
    String get(String name) {
      for (Header h : headers) {
        if (h.is(name)) {
          return h.value();
        }
      }
      return null;
    }

    /** Whether any {@code name} field lists {@code token} among its comma-separated values. */
    boolean hasToken(String name, String token) {
      for (Header h : headers) {
        if (h.is(name)) {
          for (String part : h.value().split(",", -1)) {
            if (part.strip().equalsIgnoreCase(token)) {
              return true;
            }
          }
        }
      }
      return false;
    }

    boolean chunked() {
      return hasToken("Transfer-Encoding", "chunked");
    }

    /** The Content-Length, -1 when absent; an IOException when it is not a number. */
    long contentLength() throws IOException {
      String v = get("Content-Length");
      if (v == null) {
        return -1;
      }
      try {
        long n = Long.parseLong(v.strip());
        if (n < 0) {
          throw new NumberFormatException("negative");
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IOException("bad Content-Length: " + v, e);
      }
    }
  }

  /**
   * Reads a head up to its empty line; null when the stream ends before its first byte (a client
   * closing an idle keep-alive connection).
   */
  static Head readHead(InputStream in) throws IOException {
    String start = readLine(in);
    // RFC 9112 lets a peer send empty lines before a request line.
    while (start != null && start.isEmpty()) {
      start = readLine(in);
    }
    if (start == null) {
      return null;
    }
    List<Header> headers = new ArrayList<>();
    while (true) {
      String line = readLine(in);
      if (line == null) {
        throw new EOFException("connection closed inside a message head");
      }
      if (line.isEmpty()) {
        return new Head(start, headers);
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IOException("bad header line: " + line);
      }
      if (headers.size() == MAX_HEADERS) {
        throw new IOException("more than " + MAX_HEADERS + " header fields");
      }
      headers.add(new Header(line.substring(0, colon).strip(), line.substring(colon + 1).strip()));
    }
  }

  /** A line without its CRLF (or bare LF); null at end of stream before any byte. */
  static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (line.isEmpty()) {
          return null;
        }
        throw new EOFException("connection closed inside a line");
      }
      if (b == '\n') {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
          line.setLength(end - 1);
        }
        return line.toString();
      }
      if (line.length() == MAX_LINE) {
        throw new IOException("line longer than " + MAX_LINE + " bytes");
      }
      line.append((char) b);
    }
  }

  static void writeHead(OutputStream out, String startLine, List<Header> headers)
      throws IOException {
    StringBuilder sb = new StringBuilder(startLine).append(CRLF);
    for (Header h : headers) {
      sb.append(h.name()).append(": ").append(h.value()).append(CRLF);
    }
    sb.append(CRLF);
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The next {@code length} bytes of {@code in}; an EOFException if it ends sooner. */
  static InputStream fixed(InputStream in, long length) {
    return new FixedBody(in, length);
  }

  /** The decoded body of a chunked message on {@code in}; trailers are read and dropped. */
  static InputStream chunked(InputStream in) {
    return new ChunkedBody(in);
  }

  /** Writes each write as one chunk; {@link #finish} writes the last chunk. */
  static final class ChunkedOut extends FilterOutputStream {
    ChunkedOut(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return; // a zero-size chunk would end the body
      }
      out.write((Integer.toHexString(len) + CRLF).getBytes(StandardCharsets.ISO_8859_1));
      out.write(b, off, len);
      out.write(CRLF.getBytes(StandardCharsets.ISO_8859_1));
    }

    void finish() throws IOException {
      out.write(("0" + CRLF + CRLF).getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void close() {
      // The connection outlives the body.
    }
  }

  private static final class FixedBody extends InputStream {
    private final InputStream in;
    private final long length;
    private long remaining;

    FixedBody(InputStream in, long length) {
      this.in = in;
      this.length = length;
      this.remaining = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new EOFException(
            "body ended after " + (length - remaining) + " of " + length + " bytes");
      }
      remaining -= n;
      return n;
    }
  }

  private static final class ChunkedBody extends InputStream {
    private final InputStream in;
    private long inChunk;
    private boolean started;
    private boolean done;

    ChunkedBody(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      if (inChunk == 0) {
        nextChunk();
        if (done) {
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, inChunk));
      if (n < 0) {
        throw new EOFException("chunked body ended inside a chunk");
      }
      inChunk -= n;
      return n;
    }

    private void nextChunk() throws IOException {
      if (started && !requireLine().isEmpty()) {
        throw new IOException("no CRLF after a chunk");
      }
      started = true;
      String size = requireLine();
      int semicolon = size.indexOf(';');
      String hex = (semicolon < 0 ? size : size.substring(0, semicolon)).strip();
      try {
        inChunk = Long.parseLong(hex.toLowerCase(Locale.ROOT), 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size: " + size, e);
      }
      if (inChunk < 0) {
        throw new IOException("bad chunk size: " + size);
      }
      if (inChunk == 0) {
        while (!requireLine().isEmpty()) {
          // trailer fields: dropped
        }
        done = true;
      }
    }

    private String requireLine() throws IOException {
      String line = readLine(in);
      if (line == null) {
        throw new EOFException("chunked body ended early");
      }
      return line;
    }
  }
}
