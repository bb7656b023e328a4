package dev.finch.testkit.fuzz;

import java.util.List;
import java.util.Random;

/**
 * Pieces for structure-aware generators: documents whose shape is right (JSON objects with the
 * format's own field names, TOML tables, YAML mappings) and whose values are random, so that the
 * parser's checks of each field are reached rather than its syntax errors.
 */
public final class RandomText {
  private static final String[] NUMBERS = {
    "0",
    "-0",
    "1",
    "-1",
    "7",
    "255",
    "511",
    "512",
    "4096",
    "65536",
    "4194304",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "123456789012345678901234567890",
    "0.5",
    "1.0",
    "-1.5",
    "1e3",
    "1e400",
    "-1e-400",
    "1E+2"
  };

  private static final String[] STRINGS = {
    "",
    " ",
    "a",
    "..",
    "../..",
    "/",
    "a/../../b",
    "\\u0000",
    "\\n",
    "\\\"",
    "\\ud800",
    "\\uDFFF",
    "é",
    "日本",
    "sha256:",
    "sha256:" + "0".repeat(64),
    "sha256:" + "g".repeat(64),
    "sha512:" + "a".repeat(128),
    "md5:abc",
    "x".repeat(300)
  };

  private RandomText() {}

  public static <T> T pick(Random r, List<T> values) {
    return values.get(r.nextInt(values.size()));
  }

  /** An edge-case number as text (integers of every width, beyond them, and fractions). */
  public static String number(Random r) {
    return r.nextInt(4) == 0 ? Long.toString(r.nextLong()) : NUMBERS[r.nextInt(NUMBERS.length)];
  }

  /** The body of a JSON string (escapes included, no quotes): edge cases or random text. */
  public static String jsonStringBody(Random r) {
    if (r.nextBoolean()) {
      return STRINGS[r.nextInt(STRINGS.length)];
    }
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(20);
    for (int i = 0; i < n; i++) {
      int c = 0x20 + r.nextInt(0x5f);
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append((char) c);
    }
    return b.toString();
  }

  /**
   * A JSON value: with {@code depth > 0} possibly an object whose keys come from {@code keys} and
   * whose string values come from {@code strings} half of the time, or an array.
   */
  public static String jsonValue(Random r, List<String> keys, List<String> strings, int depth) {
    int kind = r.nextInt(depth > 0 ? 8 : 5);
    return switch (kind) {
      case 0 -> number(r);
      case 1 ->
          "\""
              + (strings.isEmpty() || r.nextBoolean() ? jsonStringBody(r) : pick(r, strings))
              + "\"";
      case 2 -> r.nextBoolean() ? "true" : "false";
      case 3 -> "null";
      case 4 -> "\"" + (strings.isEmpty() ? "" : pick(r, strings)) + "\"";
      case 5 -> jsonArray(r, keys, strings, depth - 1);
      default -> jsonObject(r, keys, strings, depth - 1);
    };
  }

  public static String jsonObject(Random r, List<String> keys, List<String> strings, int depth) {
    StringBuilder b = new StringBuilder("{");
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(',');
      }
      String key = keys.isEmpty() || r.nextInt(5) == 0 ? jsonStringBody(r) : pick(r, keys);
      b.append('"').append(key).append("\":").append(jsonValue(r, keys, strings, depth));
    }
    return b.append('}').toString();
  }

  public static String jsonArray(Random r, List<String> keys, List<String> strings, int depth) {
    StringBuilder b = new StringBuilder("[");
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(jsonValue(r, keys, strings, depth));
    }
    return b.append(']').toString();
  }

  /** A TOML value: integers (edge cases, hex, underscores), floats, strings, arrays, dates. */
  public static String tomlValue(Random r, List<String> strings, int depth) {
    return switch (r.nextInt(depth > 0 ? 11 : 9)) {
      case 0 -> number(r);
      case 1 -> r.nextBoolean() ? "true" : "false";
      case 2 -> "\"" + (strings.isEmpty() ? jsonStringBody(r) : pick(r, strings)) + "\"";
      case 3 -> "'" + jsonStringBody(r).replace("'", "") + "'";
      case 4 -> pick(r, List.of("0x7fffffff", "0o777", "0b101", "1_000", "+inf", "nan", "-inf"));
      case 5 -> pick(r, List.of("1979-05-27T07:32:00Z", "1979-05-27", "07:32:00", "0000-00-00"));
      case 6 -> "\"\"\"\n" + jsonStringBody(r) + "\n\"\"\"";
      case 7 -> "\"" + jsonStringBody(r) + "\"";
      case 8 -> Integer.toString(r.nextInt(200) - 50);
      case 9 -> {
        StringBuilder b = new StringBuilder("[");
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          b.append(i > 0 ? ", " : "").append(tomlValue(r, strings, depth - 1));
        }
        yield b.append(']').toString();
      }
      default -> {
        StringBuilder b = new StringBuilder("{");
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
          b.append(i > 0 ? ", " : " ")
              .append(pick(r, List.of("host", "insecure", "request_timeout_sec", "x")))
              .append(" = ")
              .append(tomlValue(r, strings, depth - 1));
        }
        yield b.append(" }").toString();
      }
    };
  }

  /** A YAML scalar: plain, quoted, or one of YAML's special spellings. */
  public static String yamlScalar(Random r, List<String> strings) {
    return switch (r.nextInt(8)) {
      case 0 -> number(r);
      case 1 -> pick(r, List.of("true", "false", "yes", "no", "on", "off", "~", "null", "True"));
      case 2 -> "\"" + jsonStringBody(r) + "\"";
      case 3 -> "'" + jsonStringBody(r).replace("'", "''") + "'";
      case 4 -> pick(r, List.of("4GiB", "512MiB", "1.5G", "0B", "99999999999PiB", "-1GiB", "8iB"));
      case 5 -> pick(r, List.of("*a", "&a x", "!!binary AAAA", "!!str 1", "? x", "|", ">"));
      default -> strings.isEmpty() ? jsonStringBody(r) : pick(r, strings);
    };
  }
}
