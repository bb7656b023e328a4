package dev.finch.soci.ztoc;

import dev.finch.soci.ztoc.compression.ZtocException;
import java.util.ArrayList;
import java.util.List;

/**
 * Path rules for TOC entry names. Entry names come from untrusted layers and zTOCs; a name with a
 * {@code ..} element could make a consumer that joins names onto a directory escape it, so such
 * names are refused when building and when decoding (the reference accepts them).
 */
public final class TocValidation {
  private static final String PARENT = "..";

  private TocValidation() {}

  /** Throws unless {@code name} is non-empty and has no {@code ..} path element. */
  public static void checkEntryName(String what, String name) throws ZtocException {
    if (name.indexOf('\0') >= 0) {
      throw new ZtocException(what + " " + quote(name) + " contains a NUL byte");
    }
    for (String element : name.split("/", -1)) {
      if (element.equals(PARENT)) {
        throw new ZtocException(
            what
                + " "
                + quote(name)
                + " contains a \"..\" path element; refusing an entry that"
                + " could escape the layer root");
      }
    }
  }

  /**
   * Go {@code strings.TrimPrefix(filepath.Clean("/"+name), "/")}: {@code ./a//b/} becomes {@code
   * a/b}; the root is the empty string.
   */
  public static String cleanPath(String name) {
    List<String> parts = new ArrayList<>();
    for (String element : name.split("/")) {
      if (element.isEmpty() || element.equals(".")) {
        continue;
      }
      if (element.equals(PARENT)) {
        if (!parts.isEmpty()) {
          parts.removeLast();
        }
        continue;
      }
      parts.add(element);
    }
    return String.join("/", parts);
  }

  /**
   * {@code s} in double quotes with Go-like escapes, on one line: names come from layers and zTOCs,
   * and an error message naming one must stay a single line.
   */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    s.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                  if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029) {
                    b.append(String.format("\\u%04x", c));
                  } else {
                    b.appendCodePoint(c);
                  }
                }
              }
            });
    return b.append('"').toString();
  }
}
