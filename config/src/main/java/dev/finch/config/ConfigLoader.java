package dev.finch.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads finch.yaml into a {@link FinchConfig}. It uses snakeyaml's compose API (nodes with marks,
 * no object construction, so no arbitrary types) to know the line of every key, and reports the
 * first problem as one {@link ConfigException} naming file, line and key.
 *
 * <p>Unknown keys are ignored, as Finch does, so a file shared with Finch keeps working. The file
 * is never rewritten: Finch writes defaults back on every run, which loses comments and makes a
 * read-only {@code /etc/finch} fail; here the defaults simply apply.
 */
public final class ConfigLoader {
  private static final Pattern KEY_LINE = Pattern.compile("^\\s*(?:-\\s*)?([A-Za-z_][\\w.]*)\\s*:");
  private final HostFacts host;

  public ConfigLoader(HostFacts host) {
    this.host = host;
  }

  /** Loads and validates the file at its per-OS location (or {@code FINCH_DIR}). */
  public LoadedConfig load() throws ConfigException {
    return load(ConfigLocation.configFile(host));
  }

  /** Loads and validates {@code file}; a missing file yields the defaults. */
  public LoadedConfig load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return unreadable(file, e);
    }
    return parse(file, text);
  }

  /**
   * What a file that cannot be read means: defaults when it does not exist; on Linux, where Finch
   * keeps it in {@code /etc/finch}, defaults with Finch's warning when it is not readable by the
   * user; otherwise an error.
   */
  LoadedConfig unreadable(Path file, IOException e) throws ConfigException {
    if (e instanceof NoSuchFileException) {
      return new LoadedConfig(file, false, Defaults.config(host), Map.of());
    }
    if (e instanceof AccessDeniedException && host.os() == HostOs.LINUX) {
      return new LoadedConfig(
          file,
          false,
          Defaults.config(host),
          Map.of(),
          List.of(
              "Failed to load config, using default values. You may need to be root or use sudo."));
    }
    throw new ConfigException(
        file,
        0,
        "",
        "cannot read the file (" + e.getMessage() + "); accepted: a readable YAML file");
  }

  /** Parses finch.yaml text that was read from {@code file}. */
  public LoadedConfig parse(Path file, String text) throws ConfigException {
    Node root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      int line = mark == null ? 0 : mark.getLine() + 1;
      String problem = e.getProblem() == null ? "malformed" : e.getProblem();
      throw new ConfigException(
          file,
          line,
          keyNear(text, line),
          "invalid YAML (" + problem.trim() + "); accepted: YAML key: value lines such as cpus: 4");
    } catch (YAMLException e) {
      throw new ConfigException(file, 0, "", "invalid YAML (" + e.getMessage() + ")");
    } catch (RuntimeException e) {
      // snakeyaml's scanner lets some malformed input out as a bare exception (a unicode escape cut
      // off at the end of the file gives a NumberFormatException): still a YAML error to the user
      throw new ConfigException(
          file,
          0,
          "",
          "invalid YAML (the parser stopped: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + "); accepted: YAML key: value lines such as cpus: 4");
    }
    FinchConfig defaults = Defaults.config(host);
    if (root == null) {
      return new LoadedConfig(file, true, defaults, Map.of());
    }
    if (!(root instanceof MappingNode mapping)) {
      throw new ConfigException(
          file,
          line(root),
          "",
          "the file is not a mapping; accepted: key: value lines such as cpus: 4");
    }
    Fields f = new Fields(file, mapping);
    Map<String, Integer> lines = f.lines;
    // every key the file sets replaces its default; an empty creds_helpers keeps the host's
    FinchConfig.Builder b = defaults.toBuilder();
    f.integer("cpus").ifPresent(b::cpus);
    f.size("memory", ConfigValidator::notAMemorySize).ifPresent(b::memory);
    f.string("vmType").ifPresent(b::vmType);
    f.bool("rosetta").ifPresent(b::rosetta);
    f.strings("snapshotters").ifPresent(b::snapshotters);
    f.directories("additional_directories").ifPresent(b::additionalDirectories);
    f.strings("creds_helpers").filter(l -> !l.isEmpty()).ifPresent(b::credsHelpers);
    f.bool("dockercompat").ifPresent(b::dockercompat);
    f.bool("auto_vm_start").ifPresent(b::autoVmStart);
    f.size("bootdisk", ConfigValidator::notADiskSize).ifPresent(b::bootdisk);
    f.size("datadisk", ConfigValidator::notADiskSize).ifPresent(b::datadisk);
    f.experimentalBool("mountInotify").ifPresent(b::mountInotify);
    f.bool("vmnet").ifPresent(b::vmnet);
    FinchConfig config = b.build();
    new ConfigValidator(host).validate(file, config, lines);
    return new LoadedConfig(file, true, config, lines);
  }

  private static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }

  /** The key on the problem line or the nearest one above it, for errors in broken YAML. */
  static String keyNear(String text, int line) {
    String[] all = text.split("\n", -1);
    for (int i = Math.min(line, all.length) - 1; i >= 0; i--) {
      Matcher m = KEY_LINE.matcher(all[i]);
      if (m.find()) {
        return m.group(1);
      }
    }
    return "";
  }

  /** Typed access to the top-level keys, each failure naming its key and line. */
  private static final class Fields {
    private final Path file;
    private final Map<String, Node> values = new LinkedHashMap<>();
    private final Map<String, Integer> lines = new HashMap<>();

    Fields(Path file, MappingNode mapping) throws ConfigException {
      this.file = file;
      for (NodeTuple t : mapping.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode k)) {
          throw new ConfigException(
              file,
              line(t.getKeyNode()),
              "",
              "a key is not a plain word; accepted: keys such as cpus, memory, snapshotters");
        }
        Integer previous = lines.get(k.getValue());
        if (previous != null) {
          throw new ConfigException(
              file,
              line(k),
              k.getValue(),
              "the key appears twice (first on line " + previous + "); accepted: each key once");
        }
        values.put(k.getValue(), t.getValueNode());
        lines.put(k.getValue(), line(k));
      }
    }

    private Optional<Node> node(String key) {
      Node n = values.get(key);
      if (n == null || (n instanceof ScalarNode s && s.getTag().getValue().endsWith(":null"))) {
        return Optional.empty();
      }
      return Optional.of(n);
    }

    private ScalarNode scalar(String key, Node n, String accepted) throws ConfigException {
      if (n instanceof ScalarNode s) {
        return s;
      }
      throw new ConfigException(
          file, line(n), key, "expected a single value; accepted: " + accepted);
    }

    Optional<String> string(String key) throws ConfigException {
      Optional<Node> n = node(key);
      if (n.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(scalar(key, n.get(), "a text value").getValue());
    }

    /** A size; one that does not parse is the error {@code notASize} words for its text. */
    Optional<ByteSize> size(String key, UnaryOperator<String> notASize) throws ConfigException {
      Optional<Node> n = node(key);
      if (n.isEmpty()) {
        return Optional.empty();
      }
      ScalarNode s = scalar(key, n.get(), "a size such as 4GiB");
      Optional<ByteSize> size = ByteSize.parse(s.getValue());
      if (size.isEmpty()) {
        throw new ConfigException(file, line(s), key, notASize.apply(s.getValue()));
      }
      return size;
    }

    Optional<Integer> integer(String key) throws ConfigException {
      Optional<Node> n = node(key);
      if (n.isEmpty()) {
        return Optional.empty();
      }
      ScalarNode s = scalar(key, n.get(), "a whole number such as 4");
      try {
        return Optional.of(Integer.parseInt(s.getValue().trim()));
      } catch (NumberFormatException e) {
        throw new ConfigException(
            file,
            line(s),
            key,
            "\"" + s.getValue() + "\" is not a whole number; accepted: a whole number such as 4");
      }
    }

    Optional<Boolean> bool(String key) throws ConfigException {
      Optional<Node> n = node(key);
      return n.isEmpty() ? Optional.empty() : Optional.of(toBool(key, n.get()));
    }

    private boolean toBool(String key, Node n) throws ConfigException {
      ScalarNode s = scalar(key, n, "true or false");
      return switch (s.getValue().trim()) {
        case "true", "True", "TRUE" -> true;
        case "false", "False", "FALSE" -> false;
        default ->
            throw new ConfigException(
                file,
                line(s),
                key,
                "\"" + s.getValue() + "\" is not a boolean; accepted: true or false");
      };
    }

    Optional<Boolean> experimentalBool(String sub) throws ConfigException {
      Optional<Node> n = node("experimental");
      if (n.isEmpty()) {
        return Optional.empty();
      }
      String key = "experimental." + sub;
      if (!(n.get() instanceof MappingNode m)) {
        throw new ConfigException(
            file,
            line(n.get()),
            "experimental",
            "expected a mapping; accepted: experimental: {mountInotify: true}");
      }
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(sub)) {
          lines.put(key, line(k));
          return Optional.of(toBool(key, t.getValueNode()));
        }
      }
      return Optional.empty();
    }

    Optional<List<String>> strings(String key) throws ConfigException {
      Optional<Node> n = node(key);
      if (n.isEmpty()) {
        return Optional.empty();
      }
      if (!(n.get() instanceof SequenceNode seq)) {
        throw new ConfigException(
            file,
            line(n.get()),
            key,
            "expected a list; accepted: a list such as [" + example(key) + "]");
      }
      List<String> out = new ArrayList<>();
      for (Node item : seq.getValue()) {
        String itemKey = key + "[" + out.size() + "]";
        lines.put(itemKey, line(item));
        out.add(scalar(itemKey, item, "a name such as " + example(key)).getValue());
      }
      return Optional.of(out);
    }

    Optional<List<String>> directories(String key) throws ConfigException {
      Optional<Node> n = node(key);
      if (n.isEmpty()) {
        return Optional.empty();
      }
      String accepted = "a list of entries such as - path: /Volumes/data";
      if (!(n.get() instanceof SequenceNode seq)) {
        throw new ConfigException(
            file, line(n.get()), key, "expected a list; accepted: " + accepted);
      }
      List<String> out = new ArrayList<>();
      for (Node item : seq.getValue()) {
        String itemKey = key + "[" + out.size() + "].path";
        lines.put(itemKey, line(item));
        String path = null;
        if (item instanceof MappingNode m) {
          for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k
                && k.getValue().equals("path")
                && t.getValueNode() instanceof ScalarNode v) {
              path = v.getValue();
            }
          }
        }
        if (path == null || path.isBlank()) {
          throw new ConfigException(
              file, line(item), itemKey, "missing path; accepted: " + accepted);
        }
        out.add(path);
      }
      return Optional.of(out);
    }

    private static String example(String key) {
      return key.equals("snapshotters") ? "soci, overlayfs" : "ecr-login";
    }
  }
}
