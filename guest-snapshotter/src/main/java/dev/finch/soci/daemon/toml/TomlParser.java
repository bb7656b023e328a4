package dev.finch.soci.daemon.toml;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A reader for the subset of TOML 1.0 that snapshotter configuration files use: comments, {@code
 * [table]} and {@code [[array.of.tables]]} headers with dotted and quoted names ({@code
 * [resolver.host."127.0.0.1:5000"]}), bare, quoted and dotted keys, basic and literal one-line
 * strings, decimal integers (with {@code _} separators), booleans, arrays (multi-line, trailing
 * comma allowed) and one-line inline tables. Anything else (floats, dates, multi-line strings) is
 * rejected with a {@code file:line} error rather than misread.
 *
 * @see <a href="https://toml.io/en/v1.0.0">TOML v1.0.0</a>
 */
public final class TomlParser {
  private final String file;
  private final String text;
  private int pos;
  private int line = 1;
  private final TomlValue.Table root = TomlValue.Table.empty(1);
  private final Set<List<String>> definedHeaders = new HashSet<>();

  private TomlParser(String file, String text) {
    this.file = file;
    this.text = text;
  }

  /**
   * Parses a whole document.
   *
   * @param file the name used in error messages
   */
  public static TomlValue.Table parse(String file, String text) throws TomlException {
    TomlParser p = new TomlParser(file, text);
    p.document();
    return p.root;
  }

  private TomlException error(String message) {
    return new TomlException(file, line, message);
  }

  private void document() throws TomlException {
    TomlValue.Table current = root;
    while (true) {
      skipBlankLines();
      if (eof()) {
        return;
      }
      if (peek() == '[') {
        current = header();
      } else {
        keyValue(current);
      }
      endOfLine();
    }
  }

  private TomlValue.Table header() throws TomlException {
    int headerLine = line;
    pos++;
    boolean arrayOfTables = !eof() && peek() == '[';
    if (arrayOfTables) {
      pos++;
    }
    skipSpaces();
    List<String> path = dottedKey();
    skipSpaces();
    expect(']', "expected ']' to close the table header");
    if (arrayOfTables) {
      expect(']', "expected ']]' to close the array-of-tables header");
    }
    TomlValue.Table parent = root;
    for (int i = 0; i < path.size() - 1; i++) {
      parent = descend(parent, path.get(i), headerLine);
    }
    String last = path.getLast();
    TomlValue existing = parent.get(last);
    if (arrayOfTables) {
      TomlValue.Array array;
      if (existing == null) {
        array = new TomlValue.Array(new ArrayList<>(), headerLine);
        parent.entries().put(last, array);
      } else if (existing instanceof TomlValue.Array a && a.values() instanceof ArrayList) {
        array = a;
      } else {
        throw error("\"" + String.join(".", path) + "\" is already defined as a " + existing.typeName());
      }
      TomlValue.Table t = TomlValue.Table.empty(headerLine);
      array.values().add(t);
      return t;
    }
    if (!definedHeaders.add(path)) {
      throw error("table [" + String.join(".", path) + "] is defined twice");
    }
    if (existing == null) {
      TomlValue.Table t = TomlValue.Table.empty(headerLine);
      parent.entries().put(last, t);
      return t;
    }
    if (existing instanceof TomlValue.Table t) {
      return t;
    }
    throw error("\"" + String.join(".", path) + "\" is already defined as a " + existing.typeName());
  }

  /** The sub-table {@code key} of {@code parent}, created if absent; the last table of an array. */
  private TomlValue.Table descend(TomlValue.Table parent, String key, int atLine) throws TomlException {
    TomlValue v = parent.get(key);
    if (v == null) {
      TomlValue.Table t = TomlValue.Table.empty(atLine);
      parent.entries().put(key, t);
      return t;
    }
    if (v instanceof TomlValue.Table t) {
      return t;
    }
    if (v instanceof TomlValue.Array a && !a.values().isEmpty() && a.values().getLast() instanceof TomlValue.Table t) {
      return t;
    }
    throw error("\"" + key + "\" is a " + v.typeName() + ", not a table");
  }

  private void keyValue(TomlValue.Table table) throws TomlException {
    int keyLine = line;
    List<String> path = dottedKey();
    skipSpaces();
    expect('=', "expected '=' after key \"" + String.join(".", path) + "\"");
    skipSpaces();
    TomlValue value = value();
    TomlValue.Table target = table;
    for (int i = 0; i < path.size() - 1; i++) {
      target = descend(target, path.get(i), keyLine);
    }
    String last = path.getLast();
    if (target.entries().containsKey(last)) {
      throw new TomlException(file, keyLine, "key \"" + String.join(".", path) + "\" is defined twice");
    }
    target.entries().put(last, value);
  }

  private List<String> dottedKey() throws TomlException {
    List<String> parts = new ArrayList<>();
    while (true) {
      parts.add(simpleKey());
      skipSpaces();
      if (!eof() && peek() == '.') {
        pos++;
        skipSpaces();
        continue;
      }
      return parts;
    }
  }

  private String simpleKey() throws TomlException {
    if (eof()) {
      throw error("expected a key, got end of file");
    }
    char c = peek();
    if (c == '"') {
      return basicString();
    }
    if (c == '\'') {
      return literalString();
    }
    int start = pos;
    while (!eof() && isBareKeyChar(peek())) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a key, got '" + printable(c) + "'");
    }
    return text.substring(start, pos);
  }

  private static boolean isBareKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  }

  private TomlValue value() throws TomlException {
    if (eof()) {
      throw error("expected a value, got end of file");
    }
    int at = line;
    char c = peek();
    switch (c) {
      case '"' -> {
        if (text.startsWith("\"\"\"", pos)) {
          throw error("multi-line strings are not supported");
        }
        return new TomlValue.Str(basicString(), at);
      }
      case '\'' -> {
        if (text.startsWith("'''", pos)) {
          throw error("multi-line strings are not supported");
        }
        return new TomlValue.Str(literalString(), at);
      }
      case '[' -> {
        return array();
      }
      case '{' -> {
        return inlineTable();
      }
      default -> {
        return scalar(at);
      }
    }
  }

  private TomlValue scalar(int at) throws TomlException {
    int start = pos;
    while (!eof() && " \t\r\n#,]}".indexOf(peek()) < 0) {
      pos++;
    }
    String token = text.substring(start, pos);
    if (token.equals("true")) {
      return new TomlValue.Bool(true, at);
    }
    if (token.equals("false")) {
      return new TomlValue.Bool(false, at);
    }
    if (token.matches("[+-]?(0|[1-9](_?[0-9])*)")) {
      try {
        return new TomlValue.Int(Long.parseLong(token.replace("_", "").replace("+", "")), at);
      } catch (NumberFormatException e) {
        throw error("integer " + token + " is out of range");
      }
    }
    if (token.isEmpty()) {
      throw error("expected a value, got '" + printable(eof() ? ' ' : peek()) + "'");
    }
    if (token.matches("[+-]?[0-9_]*[.eE][0-9_.eE+-]*|[+-]?(inf|nan)")) {
      throw error("floating-point values are not supported: " + token);
    }
    throw error("invalid value: " + token + " (strings must be quoted)");
  }

  private TomlValue.Array array() throws TomlException {
    int at = line;
    pos++;
    List<TomlValue> values = new ArrayList<>();
    while (true) {
      skipWhitespaceAndComments();
      if (eof()) {
        throw new TomlException(file, at, "unterminated array");
      }
      if (peek() == ']') {
        pos++;
        return new TomlValue.Array(List.copyOf(values), at);
      }
      TomlValue v = value();
      if (!values.isEmpty() && !values.getFirst().typeName().equals(v.typeName())) {
        throw error("array mixes " + values.getFirst().typeName() + " and " + v.typeName() + " values");
      }
      values.add(v);
      skipWhitespaceAndComments();
      if (eof()) {
        throw new TomlException(file, at, "unterminated array");
      }
      if (peek() == ',') {
        pos++;
      } else if (peek() != ']') {
        throw error("expected ',' or ']' in array");
      }
    }
  }

  private TomlValue.Table inlineTable() throws TomlException {
    TomlValue.Table t = TomlValue.Table.empty(line);
    pos++;
    skipSpaces();
    if (!eof() && peek() == '}') {
      pos++;
      return t;
    }
    while (true) {
      skipSpaces();
      keyValue(t);
      skipSpaces();
      if (eof() || peek() == '\n') {
        throw error("inline table must be closed with '}' on the same line");
      }
      char c = peek();
      pos++;
      if (c == '}') {
        return t;
      }
      if (c != ',') {
        throw error("expected ',' or '}' in inline table, got '" + printable(c) + "'");
      }
    }
  }

  private String basicString() throws TomlException {
    pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (eof() || peek() == '\n') {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (eof()) {
        throw error("unterminated string");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '"' -> b.append('"');
        case '\\' -> b.append('\\');
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'u', 'U' -> {
          int n = e == 'u' ? 4 : 8;
          if (pos + n > text.length() || !text.substring(pos, pos + n).matches("[0-9A-Fa-f]+")) {
            throw error("invalid \\" + e + " escape");
          }
          b.appendCodePoint(Integer.parseInt(text.substring(pos, pos + n), 16));
          pos += n;
        }
        default -> throw error("invalid escape \\" + printable(e) + " in string");
      }
    }
  }

  private String literalString() throws TomlException {
    pos++;
    int start = pos;
    while (!eof() && peek() != '\'' && peek() != '\n') {
      pos++;
    }
    if (eof() || peek() != '\'') {
      throw error("unterminated string");
    }
    return text.substring(start, pos++);
  }

  private void endOfLine() throws TomlException {
    skipSpaces();
    if (!eof() && peek() == '#') {
      skipComment();
    }
    if (eof()) {
      return;
    }
    if (peek() == '\r') {
      pos++;
    }
    if (eof() || peek() != '\n') {
      throw error("unexpected '" + printable(peek()) + "' after value (one key = value per line)");
    }
    pos++;
    line++;
  }

  private void skipBlankLines() {
    while (!eof()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r') {
        pos++;
      } else if (c == '\n') {
        pos++;
        line++;
      } else if (c == '#') {
        skipComment();
      } else {
        return;
      }
    }
  }

  private void skipWhitespaceAndComments() {
    skipBlankLines();
  }

  private void skipComment() {
    while (!eof() && peek() != '\n') {
      pos++;
    }
  }

  private void skipSpaces() {
    while (!eof() && (peek() == ' ' || peek() == '\t')) {
      pos++;
    }
  }

  private void expect(char c, String message) throws TomlException {
    if (eof() || peek() != c) {
      throw error(message);
    }
    pos++;
  }

  private boolean eof() {
    return pos >= text.length();
  }

  private char peek() {
    return text.charAt(pos);
  }

  private static String printable(char c) {
    return c == '\n' ? "\\n" : String.valueOf(c);
  }
}
