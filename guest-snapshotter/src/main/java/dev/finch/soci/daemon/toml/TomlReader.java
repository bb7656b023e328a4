package dev.finch.soci.daemon.toml;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Typed, path-aware access to a parsed table for schema binding: each getter returns the default
 * when the key is absent and fails with {@code file:line: <dotted.key>: expected <type>, got
 * <type>} when it has the wrong type. Keys that were never asked for can be listed afterwards with
 * {@link #unknownKeys}, so the caller can warn about them (reference config files carry many keys
 * an implementation may not support).
 */
public final class TomlReader {
  private final String file;
  private final String prefix;
  private final TomlValue.Table table;
  private final List<String> consumed = new ArrayList<>();
  private final List<TomlReader> children = new ArrayList<>();

  private TomlReader(String file, String prefix, TomlValue.Table table) {
    this.file = file;
    this.prefix = prefix;
    this.table = table;
  }

  /** A reader over a document root. */
  public static TomlReader of(String file, TomlValue.Table root) {
    return new TomlReader(file, "", root);
  }

  private String path(String key) {
    return prefix.isEmpty() ? key : prefix + "." + key;
  }

  private TomlValue take(String key) {
    consumed.add(key);
    return table.get(key);
  }

  private TomlException wrongType(String key, String expected, TomlValue v) {
    return new TomlException(file, v.line(), path(key) + ": expected " + expected + ", got " + v.typeName());
  }

  /** A string value, or {@code def}. */
  public String string(String key, String def) throws TomlException {
    TomlValue v = take(key);
    if (v == null) {
      return def;
    }
    if (v instanceof TomlValue.Str s) {
      return s.value();
    }
    throw wrongType(key, "a string", v);
  }

  /** A string that must be one of {@code allowed}, or {@code def}. */
  public String oneOf(String key, String def, String... allowed) throws TomlException {
    TomlValue v = table.get(key);
    String s = string(key, def);
    if (v != null && !java.util.List.of(allowed).contains(s)) {
      throw new TomlException(
          file, v.line(), path(key) + ": \"" + s + "\" is not one of \"" + String.join("\", \"", allowed) + "\"");
    }
    return s;
  }

  /** A boolean value, or {@code def}. */
  public boolean bool(String key, boolean def) throws TomlException {
    TomlValue v = take(key);
    if (v == null) {
      return def;
    }
    if (v instanceof TomlValue.Bool b) {
      return b.value();
    }
    throw wrongType(key, "a boolean", v);
  }

  /** An integer value in {@code [min, max]}, or {@code def}. */
  public long integer(String key, long def, long min, long max) throws TomlException {
    TomlValue v = take(key);
    if (v == null) {
      return def;
    }
    if (v instanceof TomlValue.Int i) {
      if (i.value() < min || i.value() > max) {
        throw new TomlException(
            file, v.line(), path(key) + ": " + i.value() + " is out of range [" + min + ", " + max + "]");
      }
      return i.value();
    }
    throw wrongType(key, "an integer", v);
  }

  /** A sub-table, or an empty one when absent. */
  public TomlReader table(String key) throws TomlException {
    TomlValue v = take(key);
    if (v == null) {
      v = TomlValue.Table.empty(table.line());
    }
    if (v instanceof TomlValue.Table t) {
      TomlReader child = new TomlReader(file, path(key), t);
      children.add(child);
      return child;
    }
    throw wrongType(key, "a table", v);
  }

  /** Calls {@code fn} with each table of an array of tables (or of an inline-table array). */
  public void tables(String key, TableVisitor fn) throws TomlException {
    TomlValue v = take(key);
    if (v == null) {
      return;
    }
    if (!(v instanceof TomlValue.Array a)) {
      throw wrongType(key, "an array of tables", v);
    }
    int i = 0;
    for (TomlValue e : a.values()) {
      if (!(e instanceof TomlValue.Table t)) {
        throw new TomlException(file, e.line(), path(key) + ": expected an array of tables, got " + e.typeName() + " elements");
      }
      TomlReader child = new TomlReader(file, path(key) + "[" + i++ + "]", t);
      children.add(child);
      fn.visit(child);
    }
  }

  /** Keys of this table, in document order (for maps such as {@code [resolver.host."h"]}). */
  public List<String> keys() {
    return List.copyOf(table.entries().keySet());
  }

  /** The line of this table's header (or of the document start). */
  public int line() {
    return table.line();
  }

  /** The file name used in messages. */
  public String file() {
    return file;
  }

  /** The dotted path of this table. */
  public String prefix() {
    return prefix;
  }

  /**
   * Reports every key no getter asked for, here and in sub-tables read: its place ({@code file:line})
   * and its dotted path ({@code blob.check_always}).
   */
  public void unknownKeys(BiConsumer<String, String> sink) {
    for (var e : table.entries().entrySet()) {
      if (!consumed.contains(e.getKey())) {
        sink.accept(file + ":" + e.getValue().line(), path(e.getKey()));
      }
    }
    children.forEach(c -> c.unknownKeys(sink));
  }

  /** A callback that may fail with a schema error. */
  @FunctionalInterface
  public interface TableVisitor {
    void visit(TomlReader table) throws TomlException;
  }
}
