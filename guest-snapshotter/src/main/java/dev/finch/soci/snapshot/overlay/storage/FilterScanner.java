package dev.finch.soci.snapshot.overlay.storage;

/**
 * Tokenizer for {@link Filters}, mirroring containerd's {@code filters/scanner.go} state machine:
 * after an operator the scanner is in "value" mode, where anything but space and comma continues
 * the value (so {@code sha256:ab.cd} is one token), while in field mode only {@code [A-Za-z0-9_-]}
 * continue a field.
 */
final class FilterScanner {
  static final int EOF = -1;

  enum Type {
    EOF,
    QUOTED,
    VALUE,
    FIELD,
    SEPARATOR,
    OPERATOR,
    ILLEGAL,
    OTHER
  }

  record Token(Type type, String text) {}

  private final String input;
  private int pos;
  private boolean valueMode;

  FilterScanner(String input) {
    this.input = input;
  }

  /** The next raw code point without consuming it (no whitespace skipping, as containerd). */
  int peek() {
    return pos >= input.length() ? EOF : input.codePointAt(pos);
  }

  private int next() {
    if (pos >= input.length()) {
      return EOF;
    }
    int ch = input.codePointAt(pos);
    pos += Character.charCount(ch);
    return ch;
  }

  Token scan() {
    int ch = next();
    while (ch != EOF && Character.isWhitespace(ch)) {
      ch = next();
    }
    if (ch == EOF) {
      return new Token(Type.EOF, "");
    }
    int start = pos - Character.charCount(ch);
    if (ch == 0) {
      return new Token(Type.ILLEGAL, "");
    }
    if (isQuote(ch)) {
      boolean ok = scanQuoted(ch);
      return new Token(ok ? Type.QUOTED : Type.ILLEGAL, input.substring(start, pos));
    }
    if (ch == ',' || ch == '.') {
      valueMode = false;
      return new Token(Type.SEPARATOR, input.substring(start, pos));
    }
    if (isOperator(ch)) {
      while (isOperator(peek())) {
        next();
      }
      valueMode = true;
      return new Token(Type.OPERATOR, input.substring(start, pos));
    }
    if (valueMode) {
      while (peek() != EOF && isValueRune(peek())) {
        next();
      }
      valueMode = false;
      return new Token(Type.VALUE, input.substring(start, pos));
    }
    if (isFieldRune(ch)) {
      while (peek() != EOF && isFieldRune(peek())) {
        next();
      }
      return new Token(Type.FIELD, input.substring(start, pos));
    }
    return new Token(Type.OTHER, Character.toString(ch));
  }

  private boolean scanQuoted(int quote) {
    int ch = next();
    while (ch != quote) {
      if (ch == '\n' || ch == EOF) {
        return false;
      }
      if (ch == '\\') {
        next();
      }
      ch = next();
    }
    return true;
  }

  private static boolean isQuote(int ch) {
    return ch == '"' || ch == '/' || ch == '|';
  }

  private static boolean isOperator(int ch) {
    return ch == '=' || ch == '!' || ch == '~';
  }

  private static boolean isFieldRune(int ch) {
    return ch == '-'
        || ch == '_'
        || (ch >= 'A' && ch <= 'Z')
        || (ch >= 'a' && ch <= 'z')
        || (ch >= '0' && ch <= '9');
  }

  private static boolean isValueRune(int ch) {
    return ch != ',' && !Character.isWhitespace(ch) && !Character.isISOControl(ch);
  }

  /**
   * Removes the delimiters and resolves Go escapes ({@code \n}, {@code \"}, {@code \xHH}, {@code
   * backslash-u, octal, and the delimiter itself).
   *
   * @throws IllegalArgumentException on a malformed escape
   */
  static String unquote(String quoted) {
    if (quoted.length() < 2) {
      throw new IllegalArgumentException("invalid syntax");
    }
    char quote = quoted.charAt(0);
    String body = quoted.substring(1, quoted.length() - 1);
    StringBuilder out = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i >= body.length()) {
        throw new IllegalArgumentException("invalid syntax");
      }
      char e = body.charAt(i);
      switch (e) {
        case 'a' -> out.append('\u0007');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'v' -> out.append('\u000b');
        case '\\' -> out.append('\\');
        case 'x' -> i = appendHex(body, i, 2, out);
        case 'u' -> i = appendHex(body, i, 4, out);
        case 'U' -> i = appendHex(body, i, 8, out);
        default -> {
          if (e == quote) {
            out.append(e);
          } else if (e >= '0' && e <= '7' && i + 2 < body.length()) {
            out.append((char) Integer.parseInt(body.substring(i, i + 3), 8));
            i += 2;
          } else {
            throw new IllegalArgumentException("invalid escape \\" + e);
          }
        }
      }
    }
    return out.toString();
  }

  private static int appendHex(String body, int at, int digits, StringBuilder out) {
    if (at + 1 + digits > body.length()) {
      throw new IllegalArgumentException("invalid syntax");
    }
    int cp = Integer.parseInt(body.substring(at + 1, at + 1 + digits), 16);
    out.appendCodePoint(cp);
    return at + digits;
  }
}
