package dev.finch.soci.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one configured Jackson mapper: compact output, map keys sorted (as Go's encoding/json),
 * unknown fields ignored on input.
 */
public final class Json {
  private Json() {}

  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .configure(SerializationFeature.INDENT_OUTPUT, false)
          .build();

  /**
   * Serializes as Go's json.Marshal does for our DTOs (compact; {@code <>&} escaped as \\u003c
   * etc.).
   */
  public static byte[] bytes(Object value) {
    try {
      String s = MAPPER.writeValueAsString(value);
      return goEscape(s).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What went wrong reading JSON, in one line: Jackson's message without the location it appends on
   * a second line (which names no file here anyway).
   */
  public static String problem(IOException e) {
    String m =
        e instanceof JsonProcessingException j && j.getOriginalMessage() != null
            ? j.getOriginalMessage()
            : String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return oneLine(nl < 0 ? m : m.substring(0, nl)).strip();
  }

  /**
   * {@code s} with every control character (CR, LF, ESC, ...) shown as {@code ?}: text taken from
   * an input that goes into an error message, which must stay one line.
   */
  public static String oneLine(String s) {
    return s == null ? "null" : CONTROL.matcher(s).replaceAll("?");
  }

  private static final java.util.regex.Pattern CONTROL =
      java.util.regex.Pattern.compile("[\\p{Cntrl}\\u0085\\u2028\\u2029]");

  public static <T> T read(byte[] data, Class<T> type) throws IOException {
    return MAPPER.readValue(data, type);
  }

  /**
   * Indented output as Go's json.MarshalIndent(v, "", " ") writes it, for {@code info} commands.
   */
  public static String pretty(Object value) {
    return pretty(value, true);
  }

  /** As {@link #pretty(Object)}, but maps keep their insertion order (Go struct field order). */
  public static String prettyKeepOrder(Object value) {
    return pretty(value, false);
  }

  private static String pretty(Object value, boolean sortMaps) {
    try {
      DefaultIndenter indent = new DefaultIndenter("  ", "\n");
      DefaultPrettyPrinter pp =
          new DefaultPrettyPrinter()
              .withSeparators(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                      .withObjectEmptySeparator("")
                      .withArrayEmptySeparator(""));
      pp.indentObjectsWith(indent);
      pp.indentArraysWith(indent);
      com.fasterxml.jackson.databind.ObjectWriter w = MAPPER.writer(pp);
      w =
          sortMaps
              ? w.with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
              : w.without(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
      return goEscape(w.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  // Go's encoding/json escapes <, >, & and U+2028/U+2029 inside strings; these characters cannot
  // appear
  // outside strings in JSON, so a plain replacement is exact.
  private static String goEscape(String s) {
    if (s.indexOf('<') < 0
        && s.indexOf('>') < 0
        && s.indexOf('&') < 0
        && s.indexOf('\u2028') < 0
        && s.indexOf('\u2029') < 0) {
      return s;
    }
    return s.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029");
  }
}
