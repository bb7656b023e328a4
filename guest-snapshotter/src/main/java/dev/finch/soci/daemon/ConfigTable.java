package dev.finch.soci.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One table of a parsed {@code config.toml} (Jackson's tree), read key by key: each getter returns
 * the default when the key is absent and fails naming the key when its value has the wrong type or
 * range. The keys no getter asked for are listed afterwards ({@link #unknownKeys}), so the loader
 * can warn about them (reference config files carry many keys this implementation ignores).
 *
 * <p>Jackson's tree has no line numbers, so messages place a key the way a user searches the file
 * for it: {@code metrics_address} at the top level, {@code [blob] max_retries} in a table, {@code
 * [resolver.host."r.example".mirrors #2] host} in the second of several tables of an array.
 */
final class ConfigTable {
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");
  private static final int SHOWN_VALUE_MAX = 60;

  private final String file;

  /** The keys from the root joined with '.', as {@link ReferenceKeys} names them. */
  private final String dotted;

  /** The same path as a TOML header would write it, quoted where needed; empty at the root. */
  private final String header;

  /** {@code " #n"} for the n-th table of an array of several, else empty. */
  private final String element;

  private final ObjectNode node;
  private final Set<String> asked = new LinkedHashSet<>();
  private final List<ConfigTable> children = new ArrayList<>();

  private ConfigTable(String file, String dotted, String header, String element, ObjectNode node) {
    this.file = file;
    this.dotted = dotted;
    this.header = header;
    this.element = element;
    this.node = node;
  }

  /** The document's root table; {@code file} starts every message. */
  static ConfigTable root(String file, ObjectNode root) {
    return new ConfigTable(file, "", "", "", root);
  }

  /** A key where a user finds it: {@code key} at the top level, else {@code [table] key}. */
  String where(String key) {
    return header.isEmpty() ? quote(key) : "[" + header + element + "] " + quote(key);
  }

  /** An error about {@code key}'s value: {@code file: [table] key: problem}. */
  DaemonConfigException invalid(String key, String problem) {
    return new DaemonConfigException(file + ": " + where(key) + ": " + problem);
  }

  private JsonNode take(String key) {
    asked.add(key);
    return node.get(key);
  }

  private DaemonConfigException wrongType(String key, String expected, JsonNode v) {
    return invalid(key, "expected " + expected + ", got " + show(v));
  }

  /** A string value, or {@code def}. */
  String string(String key, String def) throws DaemonConfigException {
    JsonNode v = take(key);
    if (v == null) {
      return def;
    }
    if (v.isTextual()) {
      if (!isScalarValues(v.textValue())) {
        throw invalid(key, NOT_UNICODE);
      }
      return v.textValue();
    }
    throw wrongType(key, "a string", v);
  }

  /** Why a string or key with a lone surrogate ({@code "\ud800"}) is refused. */
  static final String NOT_UNICODE =
      "not valid Unicode: it has a lone surrogate (\\uD800-\\uDFFF), which TOML does not allow";

  /**
   * True when {@code s} has no lone surrogate. Jackson's TOML reader lets {@code "\ud800"} through,
   * although TOML allows only Unicode scalar values, and its writer then cannot write the config
   * back ({@code config dump}).
   */
  static boolean isScalarValues(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** A string that must be one of {@code allowed}, or {@code def}. */
  String oneOf(String key, String def, String... allowed) throws DaemonConfigException {
    String s = string(key, def);
    if (node.has(key) && !List.of(allowed).contains(s)) {
      throw invalid(
          key, show(node.get(key)) + " is not one of \"" + String.join("\", \"", allowed) + "\"");
    }
    return s;
  }

  /** A boolean value, or {@code def}. */
  boolean bool(String key, boolean def) throws DaemonConfigException {
    JsonNode v = take(key);
    if (v == null) {
      return def;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    throw wrongType(key, "a boolean", v);
  }

  /** An integer value in {@code [min, max]}, or {@code def}. */
  long integer(String key, long def, long min, long max) throws DaemonConfigException {
    JsonNode v = take(key);
    if (v == null) {
      return def;
    }
    if (!v.isIntegralNumber()) {
      throw wrongType(key, "an integer", v);
    }
    if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
      throw invalid(key, show(v) + " is out of range [" + min + ", " + max + "]");
    }
    return v.longValue();
  }

  /** A sub-table, or an empty one when absent. */
  ConfigTable table(String key) throws DaemonConfigException {
    JsonNode v = take(key);
    ObjectNode t;
    if (v == null) {
      t = node.objectNode();
    } else if (v instanceof ObjectNode o) {
      t = o;
    } else {
      throw wrongType(key, "a table", v);
    }
    return child(key, "", t);
  }

  /** Calls {@code fn} with each table of an array of tables ({@code [[key]]} or inline). */
  void tables(String key, TableVisitor fn) throws DaemonConfigException {
    JsonNode v = take(key);
    if (v == null) {
      return;
    }
    if (!(v instanceof ArrayNode a)) {
      throw wrongType(key, "an array of tables", v);
    }
    for (int i = 0; i < a.size(); i++) {
      if (!(a.get(i) instanceof ObjectNode t)) {
        throw invalid(key, "expected an array of tables, got an element " + show(a.get(i)));
      }
      fn.visit(child(key, a.size() > 1 ? " #" + (i + 1) : "", t));
    }
  }

  private ConfigTable child(String key, String elementSuffix, ObjectNode t) {
    ConfigTable c =
        new ConfigTable(
            file,
            dotted.isEmpty() ? key : dotted + "." + key,
            header.isEmpty() ? quote(key) : header + "." + quote(key),
            elementSuffix,
            t);
    children.add(c);
    return c;
  }

  /** Keys of this table, in document order (for maps such as {@code [resolver.host."h"]}). */
  List<String> keys() {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  /** A key no getter asked for, with the keys that were asked for in its table. */
  record Unknown(String where, String table, String key, Set<String> known) {}

  /**
   * Reports every key no getter asked for, here and in the sub-tables read, in document order table
   * by table. A table nobody read is one entry ({@code [fuse]}), not one per key in it.
   */
  void unknownKeys(Consumer<Unknown> sink) {
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String key = e.getKey();
      if (!asked.contains(key)) {
        boolean table = e.getValue().isObject() && element.isEmpty();
        String where =
            table ? "[" + (header.isEmpty() ? "" : header + ".") + quote(key) + "]" : where(key);
        sink.accept(new Unknown(where, dotted, key, Set.copyOf(asked)));
      }
    }
    children.forEach(c -> c.unknownKeys(sink));
  }

  /** A key as TOML writes it: bare when it can be, else a basic string. */
  static String quote(String key) {
    return BARE_KEY.matcher(key).matches() ? key : basicString(key);
  }

  /** {@code s} as a TOML basic string, {@code "..."} with escapes. */
  private static String basicString(String s) {
    StringBuilder b = new StringBuilder("\"");
    s.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                  if (c < 0x20 || c == 0x7f) {
                    b.append(String.format("\\u%04x", c));
                  } else {
                    b.appendCodePoint(c);
                  }
                }
              }
            });
    return b.append('"').toString();
  }

  /** A value as a message shows it: the value for scalars, the kind for tables and arrays. */
  private static String show(JsonNode v) {
    String s;
    if (v.isObject()) {
      return "a table";
    } else if (v.isArray()) {
      return "an array";
    } else if (v.isTextual()) {
      s = basicString(v.textValue());
    } else if (v instanceof POJONode p) {
      s = String.valueOf(p.getPojo()); // a TOML date or time
    } else if (v.isDouble() && !Double.isFinite(v.doubleValue())) {
      double d = v.doubleValue();
      s = Double.isNaN(d) ? "nan" : d > 0 ? "inf" : "-inf"; // as TOML spells them
    } else {
      s = v.asText();
    }
    return s.length() > SHOWN_VALUE_MAX ? s.substring(0, SHOWN_VALUE_MAX) + "…" : s;
  }

  /** A callback that may fail with a schema error. */
  @FunctionalInterface
  interface TableVisitor {
    void visit(ConfigTable table) throws DaemonConfigException;
  }
}
