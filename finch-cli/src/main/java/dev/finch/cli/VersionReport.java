package dev.finch.cli;

import dev.finch.bridge.Component;
import dev.finch.bridge.GuestVersions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code finch version} output. The text layout is Finch's (a {@code Client:} block with finch,
 * nerdctl and nerdctl's components, a {@code Server:} block with containerd, runc and the
 * snapshotters), so tools that parse Finch's output (common-tests reads {@code nerdctl: Version:})
 * work unchanged.
 *
 * @param env finch's own version and host
 * @param guest versions reported by the guest
 */
public record VersionReport(FinchEnvironment env, GuestVersions guest) {
  private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*(json\\s+)?\\.([\\w.]*)\\s*}}");

  /** Finch's text layout. */
  public String text() {
    StringBuilder b = new StringBuilder("Client:\n");
    b.append(" Version:\t").append(env.version()).append('\n');
    b.append(" OS/Arch:\t").append(osArch()).append('\n');
    b.append(" GitCommit:\t").append(env.gitCommit()).append('\n');
    if (guest.nerdctl().isPresent()) {
      component(b, guest.nerdctl().get());
    } else {
      b.append(" nerdctl:\n  Version:\tnot installed (containerd's ctr and soci are used)\n");
    }
    guest.clientComponents().forEach(c -> component(b, c));
    b.append("\nServer:\n");
    guest.server().forEach(c -> component(b, c));
    return b.toString();
  }

  private static void component(StringBuilder b, Component c) {
    b.append(' ').append(c.name()).append(":\n");
    b.append("  Version:\t").append(c.version()).append('\n');
    b.append("  GitCommit:\t").append(c.gitCommit()).append('\n');
  }

  private String osArch() {
    String os =
        switch (env.host().os()) {
          case MACOS -> "darwin";
          case WINDOWS -> "windows";
          case LINUX -> "linux";
        };
    return os + "/" + (env.host().arch().equals("aarch64") ? "arm64" : "amd64");
  }

  /** The data behind the text, shaped like Finch's template data. */
  public Map<String, Object> model() {
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("Version", env.version());
    client.put("GitCommit", env.gitCommit());
    String[] oa = osArch().split("/");
    client.put("Os", oa[0]);
    client.put("Arch", oa[1]);
    Map<String, Object> nerdctl = new LinkedHashMap<>();
    guest
        .nerdctl()
        .ifPresent(
            n -> {
              nerdctl.put("Version", n.version());
              nerdctl.put("GitCommit", n.gitCommit());
            });
    nerdctl.put("Components", components(guest.clientComponents()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Client", client);
    m.put("NerdctlClient", nerdctl);
    m.put("Server", Map.of("Components", components(guest.server())));
    return m;
  }

  private static List<Object> components(List<Component> cs) {
    List<Object> out = new ArrayList<>();
    for (Component c : cs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Name", c.name());
      m.put("Version", c.version());
      m.put("Details", Map.of("GitCommit", c.gitCommit()));
      out.add(m);
    }
    return out;
  }

  /** {@code --format}: {@code json}, or a template of {@code {{.Field.Path}}} placeholders. */
  public String format(String template) {
    if (template.equals("json")) {
      return JsonWriter.write(model()) + "\n";
    }
    Matcher m = FIELD.matcher(template);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      Object v = model();
      if (!m.group(2).isEmpty()) {
        for (String part : m.group(2).split("\\.")) {
          v = v instanceof Map<?, ?> map ? map.get(part) : null;
        }
      }
      String text =
          m.group(1) != null ? JsonWriter.write(v) : (v == null ? "<no value>" : String.valueOf(v));
      m.appendReplacement(b, Matcher.quoteReplacement(text));
    }
    m.appendTail(b);
    return b.append('\n').toString();
  }
}
