package dev.finch.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * nerdctl's global options (its root command's persistent flags, aliases included), which finch
 * accepts before a command and hands to the guest. Knowing them lets finch tell the command from an
 * option's value ({@code finch --namespace k8s.io ps}) and name an unknown option alone instead of
 * with the options and values around it.
 */
public final class GlobalFlags {
  /** Global options that take a value, as {@code --name value} or {@code --name=value}. */
  public static final Set<String> VALUE =
      Set.of(
          "--address",
          "-a",
          "--host",
          "-H",
          "--namespace",
          "-n",
          "--snapshotter",
          "--storage-driver",
          "--cni-path",
          "--cni-netconfpath",
          "--data-root",
          "--cgroup-manager",
          "--hosts-dir",
          "--host-gateway-ip",
          "--bridge-ip",
          "--cdi-spec-dirs",
          "--userns-remap",
          "--global-dns",
          "--global-dns-opts",
          "--global-dns-search");

  /** Global options without a value (pflag also takes {@code --name=true}). */
  public static final Set<String> BOOLEAN =
      Set.of(
          "--debug", "--debug-full", "--insecure-registry", "--experimental", "--kube-hide-dupe");

  private GlobalFlags() {}

  /**
   * The options before the command in finch's arguments.
   *
   * @param tokens the leading options with their values, in order
   * @param command the index of the first argument that is not one (the command), or the length
   * @param unknown the first leading option that is neither a global option nor one of finch's own
   * @param missingValue a value option that ends the arguments without its value
   */
  public record Leading(
      List<String> tokens, int command, Optional<String> unknown, Optional<String> missingValue) {
    public Leading {
      tokens = List.copyOf(tokens);
    }

    /**
     * The problem with the leading options as one usage-error line (picocli's wording, which
     * finch's other usage errors have), if there is one.
     */
    public Optional<String> problem() {
      return unknown
          .map(u -> "Unknown option: '" + u + "'")
          .or(() -> missingValue.map(m -> "Missing required parameter for option '" + m + "'"));
    }
  }

  /**
   * Reads the options before the command.
   *
   * @param args finch's arguments
   * @param own finch's own options allowed there ({@code --help}, {@code --version}, ...)
   */
  public static Leading leading(List<String> args, Set<String> own) {
    List<String> tokens = new ArrayList<>();
    String unknown = null;
    String missing = null;
    int i = 0;
    while (i < args.size() && args.get(i).startsWith("-") && !args.get(i).equals("-")) {
      String a = args.get(i++);
      tokens.add(a);
      if (VALUE.contains(a)) {
        if (i < args.size()) {
          tokens.add(args.get(i++));
        } else if (missing == null) {
          missing = a;
        }
      } else if (unknown == null && !a.equals("--") && !own.contains(a) && !isGlobal(a)) {
        unknown = a;
      }
    }
    return new Leading(tokens, i, Optional.ofNullable(unknown), Optional.ofNullable(missing));
  }

  /**
   * Whether {@code token} is a whole global option: a boolean one ({@code --debug}, {@code
   * --debug=false}), or a value one with its value attached ({@code --address=S}, {@code -nS},
   * {@code -n=S}). A bare value option ({@code --address}) is not: its value is the next token.
   */
  public static boolean isGlobal(String token) {
    if (BOOLEAN.contains(token)) {
      return true;
    }
    int eq = token.indexOf('=');
    if (token.startsWith("--") && eq > 0) {
      String name = token.substring(0, eq);
      return VALUE.contains(name) || BOOLEAN.contains(name);
    }
    // pflag's short form with the value attached: -nk8s.io, -n=k8s.io
    return !token.startsWith("--") && token.length() > 2 && VALUE.contains(token.substring(0, 2));
  }

  /** {@code args} without the nerdctl global options (and their values) before the command. */
  public static List<String> withoutGlobals(List<String> args, Leading leading) {
    List<String> out = new ArrayList<>();
    List<String> t = leading.tokens();
    for (int k = 0; k < t.size(); k++) {
      String a = t.get(k);
      if (VALUE.contains(a)) {
        k++;
      } else if (a.equals("--debug") || !isGlobal(a)) {
        // --debug is finch's too; anything else left here is finch's own or reported as unknown
        out.add(a);
      }
    }
    out.addAll(args.subList(leading.command(), args.size()));
    return out;
  }
}
