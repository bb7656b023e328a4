package dev.finch.soci.snapshot.overlay.storage;

import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.SnapshotException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * containerd's filter language ({@code pkg/filters}) as used by {@code Snapshots.List}: a filter
 * string is a comma-separated conjunction of selectors {@code <fieldpath>[<op><value>]}; several
 * filter strings are a disjunction. containerd itself sends {@code
 * labels."containerd.io/snapshot.ref"==<chainID>,parent=="<parent>"} to find the snapshot that a
 * remote Prepare committed, so quoting and value scanning follow containerd's scanner exactly.
 *
 * <pre>
 * selectors := selector ("," selector)*
 * selector  := fieldpath (operator value)
 * fieldpath := field ('.' field)*
 * field     := quoted | [A-Za-z0-9_-]+
 * operator  := "==" | "!=" | "~="
 * value     := quoted | [^\s,]+
 * quoted    := "…" | /…/ | |…|   (Go escape syntax)
 * </pre>
 */
public final class Filters {
  private Filters() {}

  /** Looks a field path up on the filtered object; empty means "field not present". */
  @FunctionalInterface
  public interface Adaptor {
    Optional<String> field(List<String> fieldpath);
  }

  /** A parsed filter. */
  @FunctionalInterface
  public interface Filter {
    boolean match(Adaptor adaptor);
  }

  /** Matches everything: what an empty filter list means. */
  public static final Filter ALWAYS = a -> true;

  /**
   * Parses filter strings into one filter matching if <em>any</em> of them matches.
   *
   * @throws SnapshotException {@code INVALID_ARGUMENT} on a syntax error, as containerd's {@code
   *     filters.ParseAll}
   */
  public static Filter parseAll(List<String> filters) {
    if (filters.isEmpty()) {
      return ALWAYS;
    }
    List<Filter> any = new ArrayList<>();
    for (String s : filters) {
      any.add(parse(s));
    }
    return a -> any.stream().anyMatch(f -> f.match(a));
  }

  /** Parses one filter string (a conjunction); the empty string matches everything. */
  public static Filter parse(String s) {
    if (s.isEmpty()) {
      return ALWAYS;
    }
    try {
      List<Selector> all = new Parser(s).selectors();
      return a -> all.stream().allMatch(sel -> sel.match(a));
    } catch (ParseError e) {
      throw SnapshotException.invalidArgument(
          "filters: parse error: [" + s + "]: " + e.getMessage());
    }
  }

  /** The fields containerd's snapshot adaptor exposes: kind, name, parent, labels.&lt;key&gt;. */
  public static Adaptor adapt(Info info) {
    return path -> {
      if (path.isEmpty()) {
        return Optional.empty();
      }
      return switch (path.getFirst()) {
        case "kind" -> Optional.of(info.kind().wireName());
        case "name" -> Optional.of(info.name());
        case "parent" -> Optional.of(info.parent());
        case "labels" -> label(info.labels(), String.join(".", path.subList(1, path.size())));
        default -> Optional.empty();
      };
    };
  }

  private static Optional<String> label(Map<String, String> labels, String key) {
    return labels.isEmpty() ? Optional.empty() : Optional.ofNullable(labels.get(key));
  }

  private enum Op {
    PRESENT,
    EQUAL,
    NOT_EQUAL,
    MATCHES
  }

  private record Selector(List<String> fieldpath, Op op, String value, Pattern re) {
    boolean match(Adaptor adaptor) {
      Optional<String> v = adaptor.field(fieldpath);
      return switch (op) {
        case PRESENT -> v.isPresent();
        case EQUAL -> v.isPresent() && v.get().equals(value);
        case NOT_EQUAL -> !v.orElse("").equals(value);
        case MATCHES -> re != null && re.matcher(v.orElse("")).find();
      };
    }
  }

  private static final class ParseError extends Exception {
    private static final long serialVersionUID = 1L;

    ParseError(String message) {
      super(message);
    }
  }

  private static final class Parser {
    private final FilterScanner scanner;

    Parser(String input) {
      this.scanner = new FilterScanner(input);
    }

    List<Selector> selectors() throws ParseError {
      List<Selector> out = new ArrayList<>();
      out.add(selector());
      while (true) {
        int ch = scanner.peek();
        if (ch == ',') {
          scanner.scan();
          out.add(selector());
        } else if (ch == FilterScanner.EOF) {
          return out;
        } else {
          throw new ParseError("unexpected input: " + Character.toString(ch));
        }
      }
    }

    private Selector selector() throws ParseError {
      List<String> fieldpath = fieldpath();
      int ch = scanner.peek();
      if (ch == ',' || ch == FilterScanner.EOF) {
        return new Selector(fieldpath, Op.PRESENT, "", null);
      }
      Op op = operator();
      String value = value();
      Pattern re = null;
      if (op == Op.MATCHES) {
        try {
          re = Pattern.compile(value);
        } catch (PatternSyntaxException e) {
          re = null; // containerd logs the bad expression and never matches
        }
      }
      return new Selector(fieldpath, op, value, re);
    }

    private List<String> fieldpath() throws ParseError {
      List<String> fs = new ArrayList<>();
      fs.add(field());
      while (scanner.peek() == '.') {
        scanner.scan();
        fs.add(field());
      }
      return fs;
    }

    private String field() throws ParseError {
      FilterScanner.Token t = scanner.scan();
      return switch (t.type()) {
        case FIELD -> t.text();
        case QUOTED -> unquote(t.text());
        default -> throw new ParseError("expected field or quoted");
      };
    }

    private static String unquote(String quoted) throws ParseError {
      try {
        return FilterScanner.unquote(quoted);
      } catch (IllegalArgumentException e) {
        throw new ParseError("unquoting failed: " + e.getMessage());
      }
    }

    private Op operator() throws ParseError {
      FilterScanner.Token t = scanner.scan();
      if (t.type() == FilterScanner.Type.OPERATOR) {
        return switch (t.text()) {
          case "==" -> Op.EQUAL;
          case "!=" -> Op.NOT_EQUAL;
          case "~=" -> Op.MATCHES;
          default -> throw new ParseError("unsupported operator \"" + t.text() + "\"");
        };
      }
      throw new ParseError("expected an operator (\"==\"|\"!=\"|\"~=\")");
    }

    private String value() throws ParseError {
      FilterScanner.Token t = scanner.scan();
      return switch (t.type()) {
        case VALUE, FIELD -> t.text();
        case QUOTED -> unquote(t.text());
        default -> throw new ParseError("expected value or quoted");
      };
    }
  }
}
