package dev.finch.soci.registry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Parses a {@code multipart/byteranges} body (RFC 9110 §14.6) into its parts. Each part must carry
 * a {@code Content-Range}; its body length is taken from that range, so binary data containing the
 * boundary text is read correctly.
 */
final class MultipartByteranges {
  /** A body that is not the multipart/byteranges it claims to be; the message says why. */
  static final class MalformedBodyException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    MalformedBodyException(String message) {
      super(message);
    }
  }

  /** One part: the range it claims and its bytes. */
  record Part(ByteRange range, byte[] data) {}

  private enum State {
    PREAMBLE,
    HEADERS,
    BODY,
    AFTER_BODY,
    DONE
  }

  private MultipartByteranges() {}

  /** The {@code boundary} parameter of a Content-Type, or null. */
  static String boundary(String contentType) {
    if (contentType == null) {
      return null;
    }
    for (String param : contentType.split(";")) {
      String p = param.strip();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String b = p.substring("boundary=".length());
        return b.startsWith("\"") && b.endsWith("\"") && b.length() >= 2
            ? b.substring(1, b.length() - 1)
            : b;
      }
    }
    return null;
  }

  /**
   * Splits {@code body} into parts.
   *
   * @throws MalformedBodyException describing what was expected and what was found
   */
  static List<Part> parse(byte[] body, String boundary) throws MalformedBodyException {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    List<Part> parts = new ArrayList<>();
    State state = State.PREAMBLE;
    int pos = 0;
    ByteRange range = null;
    while (state != State.DONE) {
      switch (state) {
        case PREAMBLE -> {
          int at = indexOf(body, delimiter, pos);
          if (at < 0) {
            throw new MalformedBodyException(
                "expected boundary --" + Responses.shown(boundary) + ", got none");
          }
          pos = afterDelimiterLine(body, at + delimiter.length);
          state = pos < 0 ? State.DONE : State.HEADERS;
        }
        case HEADERS -> {
          range = null;
          while (true) {
            int eol = indexOf(body, new byte[] {'\r', '\n'}, pos);
            if (eol < 0) {
              throw new MalformedBodyException(
                  "expected part headers ending in CRLF, got end of body");
            }
            String line = new String(body, pos, eol - pos, StandardCharsets.ISO_8859_1);
            pos = eol + 2;
            if (line.isEmpty()) {
              break;
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("Content-Range")) {
              range = ContentRange.parse(line.substring(colon + 1));
              if (range == null) {
                throw new MalformedBodyException(
                    "expected Content-Range bytes a-b/n, got " + Responses.shown(line));
              }
            }
          }
          if (range == null) {
            throw new MalformedBodyException(
                "expected a Content-Range header in part " + (parts.size() + 1));
          }
          state = State.BODY;
        }
        case BODY -> {
          if (range.length() > body.length - pos) {
            throw new MalformedBodyException(
                "expected "
                    + range.length()
                    + " bytes for part "
                    + range
                    + ", got "
                    + (body.length - pos));
          }
          int end = pos + (int) range.length();
          parts.add(new Part(range, Arrays.copyOfRange(body, pos, end)));
          pos = end;
          state = State.AFTER_BODY;
        }
        case AFTER_BODY -> {
          if (pos + 2 <= body.length && body[pos] == '\r' && body[pos + 1] == '\n') {
            pos += 2;
          }
          if (!startsWith(body, delimiter, pos)) {
            throw new MalformedBodyException(
                "expected boundary after part " + parts.size() + ", got other bytes");
          }
          pos = afterDelimiterLine(body, pos + delimiter.length);
          state = pos < 0 ? State.DONE : State.HEADERS;
        }
        case DONE -> throw new IllegalStateException();
      }
    }
    return parts;
  }

  // After "--boundary": "--" ends the body (answers -1); otherwise skip to after the line's CRLF.
  private static int afterDelimiterLine(byte[] body, int pos) throws MalformedBodyException {
    if (pos + 1 < body.length && body[pos] == '-' && body[pos + 1] == '-') {
      return -1;
    }
    int eol = indexOf(body, new byte[] {'\r', '\n'}, pos);
    if (eol < 0) {
      throw new MalformedBodyException("expected CRLF after boundary, got end of body");
    }
    return eol + 2;
  }

  private static boolean startsWith(byte[] body, byte[] what, int at) {
    if (at + what.length > body.length) {
      return false;
    }
    return Arrays.equals(body, at, at + what.length, what, 0, what.length);
  }

  private static int indexOf(byte[] body, byte[] what, int from) {
    for (int i = from; i + what.length <= body.length; i++) {
      if (startsWith(body, what, i)) {
        return i;
      }
    }
    return -1;
  }
}
