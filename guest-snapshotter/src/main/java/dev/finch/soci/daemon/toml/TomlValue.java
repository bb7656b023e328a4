package dev.finch.soci.daemon.toml;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed TOML value with the line it was defined on. Scalars are {@link Str}, {@link Int} and
 * {@link Bool}; {@link Table} holds keys in document order; {@link Array} holds values of one kind
 * (strings or tables in what we read).
 */
public sealed interface TomlValue permits TomlValue.Str, TomlValue.Int, TomlValue.Bool, TomlValue.Array, TomlValue.Table {
  /** The 1-based line where the value (or table header) appears. */
  int line();

  /** The TOML type name used in error messages. */
  String typeName();

  /** A string. */
  record Str(String value, int line) implements TomlValue {
    @Override
    public String typeName() {
      return "string";
    }
  }

  /** A 64-bit integer. */
  record Int(long value, int line) implements TomlValue {
    @Override
    public String typeName() {
      return "integer";
    }
  }

  /** A boolean. */
  record Bool(boolean value, int line) implements TomlValue {
    @Override
    public String typeName() {
      return "boolean";
    }
  }

  /** An array; {@code [[name]]} sections produce arrays of tables. */
  record Array(List<TomlValue> values, int line) implements TomlValue {
    @Override
    public String typeName() {
      return "array";
    }
  }

  /**
   * A table: a {@code [header]} section, an inline {@code {...}} table or the document root.
   * {@code entries} is mutable only while parsing.
   */
  record Table(Map<String, TomlValue> entries, int line) implements TomlValue {
    /** An empty table defined at {@code line}. */
    public static Table empty(int line) {
      return new Table(new LinkedHashMap<>(), line);
    }

    @Override
    public String typeName() {
      return "table";
    }

    /** The value under {@code key}, or null. */
    public TomlValue get(String key) {
      return entries.get(key);
    }

    /** A read-only view of the entries. */
    public Map<String, TomlValue> view() {
      return Collections.unmodifiableMap(entries);
    }
  }
}
