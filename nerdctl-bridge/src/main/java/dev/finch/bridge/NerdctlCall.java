package dev.finch.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One nerdctl invocation in the guest: {@code nerdctl <globals> <command words> <args>}, plus the
 * host variables forwarded to it.
 *
 * @param globals global flags such as {@code --snapshotter=soci}
 * @param command command words, e.g. {@code [container, run]}
 * @param args the translated arguments
 * @param env host variables forwarded into the guest (allow-listed)
 * @param warnings messages to show the user before running
 */
public record NerdctlCall(
    List<String> globals,
    List<String> command,
    List<String> args,
    Map<String, String> env,
    List<String> warnings) {

  public NerdctlCall {
    globals = List.copyOf(globals);
    command = List.copyOf(command);
    args = List.copyOf(args);
    env = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
    warnings = List.copyOf(warnings);
  }

  /** The guest argv, starting with {@code nerdctl}. */
  public List<String> argv() {
    return argv("nerdctl");
  }

  /** The guest argv with {@code program} as argv[0] (a native nerdctl path). */
  public List<String> argv(String program) {
    List<String> a = new ArrayList<>();
    a.add(program);
    a.addAll(globals);
    a.addAll(command);
    a.addAll(args);
    return a;
  }

  /** The command as one key, e.g. {@code container run}. */
  public String key() {
    return String.join(" ", command);
  }

  /** The value of a global flag given as {@code --name=value} or {@code --name value}. */
  public Optional<String> global(String name) {
    for (int i = 0; i < globals.size(); i++) {
      String g = globals.get(i);
      if (g.startsWith(name + "=")) {
        return Optional.of(g.substring(name.length() + 1));
      }
      if (g.equals(name) && i + 1 < globals.size()) {
        return Optional.of(globals.get(i + 1));
      }
    }
    return Optional.empty();
  }

  /** Whether a boolean global flag such as {@code --insecure-registry} is set. */
  public boolean hasGlobal(String name) {
    return globals.contains(name) || globals.contains(name + "=true");
  }
}
