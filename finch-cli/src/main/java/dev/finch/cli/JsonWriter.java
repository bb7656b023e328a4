package dev.finch.cli;

import java.util.List;
import java.util.Map;

/** A minimal JSON writer for finch's own small outputs; parsing is never needed here. */
final class JsonWriter {
  private JsonWriter() {}

  static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(v, b);
    return b.toString();
  }

  private static void write(Object v, StringBuilder b) {
    switch (v) {
      case null -> b.append("null");
      case Map<?, ?> m -> {
        b.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!first) {
            b.append(',');
          }
          first = false;
          string(String.valueOf(e.getKey()), b);
          b.append(':');
          write(e.getValue(), b);
        }
        b.append('}');
      }
      case List<?> l -> {
        b.append('[');
        for (int i = 0; i < l.size(); i++) {
          if (i > 0) {
            b.append(',');
          }
          write(l.get(i), b);
        }
        b.append(']');
      }
      case Number n -> b.append(n);
      case Boolean bool -> b.append(bool);
      default -> string(String.valueOf(v), b);
    }
  }

  private static void string(String s, StringBuilder b) {
    b.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
