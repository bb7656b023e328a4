package dev.finch.bridge;

import dev.finch.config.HostOs;
import dev.finch.vm.wsl.WslPaths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a finch pass-through argv into the nerdctl call for the guest, following Finch's rules
 * ({@code cmd/finch/nerdctl_remote.go}): aliases, the allow-listed environment, {@code -e} and
 * {@code --env-file} resolved on the host, Windows paths rewritten to {@code /mnt/<drive>}, {@code
 * --snapshotter} defaulted from finch.yaml, and the SOCI push expansion. Everything else is passed
 * through untouched. Pure: all inputs come from {@link TranslationContext}.
 */
public final class ArgTranslator {
  private static final Set<String> GROUPS =
      Set.of("container", "image", "compose", "builder", "network", "system", "volume");
  private static final Set<String> RUN_BOOL_LONG =
      Set.of(
          "--detach",
          "--init",
          "--interactive",
          "--oom-kill-disable",
          "--privileged",
          "--read-only",
          "--rm",
          "--rootfs",
          "--tty",
          "--help");
  private static final String RUN_BOOL_SHORT = "dit";
  private static final String RUN_VALUE_SHORT = "ehmuwplv";
  private static final Set<String> RUN_KEYS =
      Set.of("container run", "create", "container create", "exec", "container exec");
  private static final Set<String> BUILDX_UNSUPPORTED =
      Set.of(
          "bake",
          "create",
          "debug",
          "du",
          "imagetools",
          "inspect",
          "ls",
          "prune",
          "rm",
          "stop",
          "use",
          "version");

  /** Lima's user-mode network gateway, which is the host as seen from a macOS guest. */
  static final String LIMA_HOST_GATEWAY = "192.168.5.2";

  private final TranslationContext ctx;

  public ArgTranslator(TranslationContext ctx) {
    this.ctx = ctx;
  }

  /**
   * @param finchArgs the arguments after {@code finch}, without {@code --debug}
   */
  public Translation translate(List<String> finchArgs) throws BridgeException {
    GlobalFlags.Leading leading = GlobalFlags.leading(finchArgs, Set.of());
    List<String> globals = new ArrayList<>(leading.tokens());
    int i = leading.command();
    if (i >= finchArgs.size()) {
      throw new BridgeException("no command given; run `finch --help` for the list of commands");
    }
    String name = finchArgs.get(i++);
    List<String> rest = new ArrayList<>(finchArgs.subList(i, finchArgs.size()));
    List<String> words = new ArrayList<>(PassthroughCommands.commandWords(name, ctx.os()));
    List<String> warnings = new ArrayList<>();
    boolean implicitHelp = rest.isEmpty() && PassthroughCommands.IMPLICIT_HELP.contains(name);
    if (name.equals("buildx")) {
      words = buildx(rest, warnings);
    } else if (words.size() == 1
        && GROUPS.contains(name)
        && !rest.isEmpty()
        && !rest.getFirst().startsWith("-")) {
      words.add(rest.removeFirst());
    }
    String key = String.join(" ", words);
    boolean help =
        implicitHelp
            || rest.contains("--help")
            || (rest.contains("-h")
                && !Set.of("container run", "create", "container create").contains(key));
    List<String> args = help ? rest : translateArgs(key, rest);
    if (!mentionsSnapshotter(globals) && !mentionsSnapshotter(args)) {
      globals.addFirst("--snapshotter=" + ctx.config().defaultSnapshotter());
    }
    NerdctlCall call =
        new NerdctlCall(globals, words, args, EnvForwarding.forwarded(ctx), warnings);
    if (!help
        && (key.equals("push") || key.equals("image push"))
        && snapshotterOf(call).equals("soci")) {
      return SociPushExpansion.expand(call);
    }
    return new Translation.Plain(call, help);
  }

  private List<String> buildx(List<String> rest, List<String> warnings) throws BridgeException {
    String sub = rest.isEmpty() ? "" : rest.getFirst();
    if (sub.equals("build")) {
      rest.removeFirst();
      warnings.add("buildx is not supported. using standard buildkit instead...");
      return new ArrayList<>(List.of("build"));
    }
    if (BUILDX_UNSUPPORTED.contains(sub) || sub.isEmpty() || !sub.startsWith("-")) {
      throw new BridgeException("unsupported buildx command: " + sub);
    }
    return new ArrayList<>(List.of("build"));
  }

  /** The snapshotter the call will use: an explicit flag, else finch.yaml's first. */
  static String snapshotterOf(NerdctlCall call) {
    String fromArgs = null;
    List<String> a = call.args();
    for (int i = 0; i < a.size() && !a.get(i).equals("--"); i++) {
      if ((a.get(i).equals("--snapshotter") || a.get(i).equals("--storage-driver"))
          && i + 1 < a.size()) {
        fromArgs = a.get(i + 1);
      } else if (a.get(i).startsWith("--snapshotter=")
          || a.get(i).startsWith("--storage-driver=")) {
        fromArgs = a.get(i).substring(a.get(i).indexOf('=') + 1);
      }
    }
    if (fromArgs != null) {
      return fromArgs;
    }
    return call.global("--snapshotter").or(() -> call.global("--storage-driver")).orElse("");
  }

  private static boolean mentionsSnapshotter(List<String> tokens) {
    for (String t : tokens) {
      if (t.equals("--")) {
        return false;
      }
      if (t.equals("--snapshotter")
          || t.startsWith("--snapshotter=")
          || t.equals("--storage-driver")
          || t.startsWith("--storage-driver=")) {
        return true;
      }
    }
    return false;
  }

  private List<String> translateArgs(String key, List<String> rest) throws BridgeException {
    boolean windows = ctx.os() == HostOs.WINDOWS;
    if (RUN_KEYS.contains(key)) {
      return runLike(rest);
    }
    if (key.equals("image build")) {
      return build(rest, windows);
    }
    if (!windows) {
      return rest;
    }
    return switch (key) {
      case "image save" -> pathFlags(rest, Set.of("-o", "--output"));
      case "image load" -> pathFlags(rest, Set.of("-i", "--input"));
      case "container cp" ->
          rest.stream()
              .map(
                  a ->
                      !a.startsWith("-") && a.indexOf(':') <= 1 && WslPaths.isWindowsPath(a)
                          ? wsl(a)
                          : a)
              .toList();
      default -> key.startsWith("compose") ? pathFlags(rest, Set.of("-f", "--file")) : rest;
    };
  }

  private String wsl(String path) {
    return WslPaths.toWsl(path, ctx.cwd());
  }

  /** run, create and exec: env resolution, mounts, host-gateway, Windows paths. */
  private List<String> runLike(List<String> rest) throws BridgeException {
    List<String> out = new ArrayList<>();
    Map<String, String> fileEnv = new LinkedHashMap<>();
    Map<String, String> cliEnv = new LinkedHashMap<>();
    int j = 0;
    while (j < rest.size()) {
      String a = rest.get(j);
      if (!a.startsWith("-") || a.equals("-") || a.equals("--")) {
        break;
      }
      j++;
      if (a.startsWith("--")) {
        int eq = a.indexOf('=');
        String flag = eq > 0 ? a.substring(0, eq) : a;
        if (RUN_BOOL_LONG.contains(flag) || flag.equals("--sig-proxy")) {
          out.add(a);
          continue;
        }
        String val = eq > 0 ? a.substring(eq + 1) : null;
        if (val == null && j < rest.size()) {
          val = rest.get(j++);
        }
        if (val == null) {
          out.add(a);
          continue;
        }
        valueFlag(flag, val, eq > 0, out, fileEnv, cliEnv);
        continue;
      }
      String letters = a.substring(1);
      if (!splittable(letters)) {
        out.add(a);
        continue;
      }
      for (int k = 0; k < letters.length(); k++) {
        char c = letters.charAt(k);
        if (RUN_BOOL_SHORT.indexOf(c) >= 0) {
          out.add("-" + c);
          continue;
        }
        String val =
            k + 1 < letters.length()
                ? letters.substring(k + 1)
                : (j < rest.size() ? rest.get(j++) : null);
        if (val == null) {
          out.add("-" + c);
        } else {
          valueFlag("-" + c, val, false, out, fileEnv, cliEnv);
        }
        break;
      }
    }
    Map<String, String> env = new LinkedHashMap<>(fileEnv);
    env.putAll(cliEnv);
    env.forEach(
        (k, v) -> {
          out.add("-e");
          out.add(k + "=" + v);
        });
    out.addAll(rest.subList(j, rest.size()));
    return out;
  }

  /** {@code -itd}, {@code -itp 80:80}, {@code -eFOO=1}: known short flags, a value flag last. */
  private static boolean splittable(String letters) {
    if (letters.isEmpty()) {
      return false;
    }
    for (int k = 0; k < letters.length(); k++) {
      char c = letters.charAt(k);
      if (RUN_VALUE_SHORT.indexOf(c) >= 0) {
        return true;
      }
      if (RUN_BOOL_SHORT.indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private void valueFlag(
      String flag,
      String val,
      boolean joined,
      List<String> out,
      Map<String, String> fileEnv,
      Map<String, String> cliEnv)
      throws BridgeException {
    boolean windows = ctx.os() == HostOs.WINDOWS;
    String v = val;
    switch (flag) {
      case "-e", "--env" -> {
        EnvForwarding.addEnv(val, ctx.hostEnv(), cliEnv);
        return;
      }
      case "--env-file" -> {
        EnvForwarding.readEnvFile(val, ctx, fileEnv);
        return;
      }
      case "-v", "--volume" -> v = windows ? volume(val) : val;
      case "--label-file", "--cosign-key", "--cidfile" ->
          v = windows && WslPaths.isWindowsPath(val) ? wsl(val) : val;
      case "--mount" -> v = mount(val, windows);
      case "--add-host" -> v = hostGateway(val);
      default -> {}
    }
    if (joined) {
      out.add(flag + "=" + v);
    } else {
      out.add(flag);
      out.add(v);
    }
  }

  /**
   * {@code name:host-gateway} names the host: Lima's user-mode gateway on macOS, the address of the
   * {@code vEthernet (WSL)} adapter on Windows (as Finch resolves them).
   */
  private String hostGateway(String val) throws BridgeException {
    String suffix = ":host-gateway";
    if (!val.endsWith(suffix)) {
      return val;
    }
    String name = val.substring(0, val.length() - suffix.length() + 1);
    return switch (ctx.os()) {
      case MACOS -> name + LIMA_HOST_GATEWAY;
      case WINDOWS -> name + ctx.windowsGateway().address();
      case LINUX -> val;
    };
  }

  /** {@code C:\src:/app:ro} to {@code /mnt/c/src:/app:ro}; only host parts with backslashes. */
  private String volume(String val) {
    int start =
        val.length() > 2 && Character.isLetter(val.charAt(0)) && val.charAt(1) == ':' ? 2 : 0;
    int colon = val.indexOf(':', start);
    String host = colon < 0 ? val : val.substring(0, colon);
    if (!host.contains("\\")) {
      return val;
    }
    return wsl(host) + (colon < 0 ? "" : val.substring(colon));
  }

  private String mount(String val, boolean windows) {
    List<String> parts = new ArrayList<>();
    for (String p : val.split(",")) {
      if (p.startsWith("consistency=")) {
        continue;
      }
      if (windows && (p.startsWith("src=") || p.startsWith("source=")) && p.contains("\\")) {
        int eq = p.indexOf('=');
        p = p.substring(0, eq + 1) + wsl(p.substring(eq + 1));
      }
      parts.add(p);
    }
    return String.join(",", parts);
  }

  private List<String> build(List<String> rest, boolean windows) {
    List<String> out = new ArrayList<>();
    for (int j = 0; j < rest.size(); j++) {
      String a = rest.get(j);
      if (ctx.config().dockercompat() && a.equals("--load")) {
        out.add("--output=type=docker");
        continue;
      }
      if (!windows) {
        out.add(a);
        continue;
      }
      int eq = a.indexOf('=');
      String flag = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
      boolean pathFlag =
          Set.of("-f", "--file", "--iidfile", "-o", "--output", "--secret").contains(flag);
      if (!pathFlag) {
        boolean context = j == rest.size() - 1 && !a.startsWith("-");
        out.add(context && WslPaths.isWindowsPath(a) ? wsl(a) : a);
        continue;
      }
      String val =
          eq > 0 && a.startsWith("--")
              ? a.substring(eq + 1)
              : (j + 1 < rest.size() ? rest.get(++j) : "");
      String converted =
          switch (flag) {
            case "-o", "--output" -> subPath(val, "dest=");
            case "--secret" -> subPath(val, "src=");
            default -> WslPaths.isWindowsPath(val) ? wsl(val) : val;
          };
      if (eq > 0 && a.startsWith("--")) {
        out.add(flag + "=" + converted);
      } else {
        out.add(flag);
        out.add(converted);
      }
    }
    return out;
  }

  private String subPath(String val, String prefix) {
    List<String> parts = new ArrayList<>();
    for (String p : val.split(",")) {
      parts.add(
          p.startsWith(prefix) && WslPaths.isWindowsPath(p.substring(prefix.length()))
              ? prefix + wsl(p.substring(prefix.length()))
              : p);
    }
    return String.join(",", parts);
  }

  private List<String> pathFlags(List<String> rest, Set<String> flags) {
    List<String> out = new ArrayList<>();
    for (int j = 0; j < rest.size(); j++) {
      String a = rest.get(j);
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0 && flags.contains(a.substring(0, eq))) {
        String v = a.substring(eq + 1);
        out.add(a.substring(0, eq + 1) + (WslPaths.isWindowsPath(v) ? wsl(v) : v));
      } else if (flags.contains(a) && j + 1 < rest.size()) {
        String v = rest.get(++j);
        out.add(a);
        out.add(WslPaths.isWindowsPath(v) ? wsl(v) : v);
      } else {
        out.add(a);
      }
    }
    return out;
  }
}
