package dev.finch.bridge;

import dev.finch.config.HostOs;
import dev.finch.vm.wsl.WslPaths;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Host environment that reaches the guest. Only Finch's allow-list is forwarded (a VM must not see
 * the whole host environment); {@code DOCKER_CONFIG} travels as {@code HOST_DOCKER_CONFIG} so the
 * guest keeps its own. {@code --env-file} is read on the host, where the file is.
 */
public final class EnvForwarding {
  /** Variables passed through when set on the host, in Finch's order. */
  public static final List<String> ALLOW_LIST =
      List.of(
          "COSIGN_PASSWORD",
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN",
          "COMPOSE_FILE",
          "SOURCE_DATE_EPOCH",
          "AWS_ECR_DISABLE_CACHE",
          "AWS_ECR_CACHE_DIR",
          "AWS_ECR_IGNORE_CREDS_STORAGE",
          "AWS_PROFILE");

  private EnvForwarding() {}

  /** The allow-listed host variables for the guest command. */
  public static Map<String, String> forwarded(TranslationContext ctx) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String k : ALLOW_LIST) {
      String v = ctx.hostEnv().get(k);
      if (v != null) {
        env.put(
            k, k.equals("COMPOSE_FILE") && ctx.os() == HostOs.WINDOWS ? composeFiles(v, ctx) : v);
      }
    }
    String dockerConfig = ctx.hostEnv().get("DOCKER_CONFIG");
    if (dockerConfig != null) {
      env.put("HOST_DOCKER_CONFIG", dockerConfig);
    }
    return env;
  }

  private static String composeFiles(String value, TranslationContext ctx) {
    StringBuilder b = new StringBuilder();
    for (String part : value.split(";")) {
      if (!b.isEmpty()) {
        b.append(':');
      }
      b.append(WslPaths.isWindowsPath(part) ? WslPaths.toWsl(part, ctx.cwd()) : part);
    }
    return b.toString();
  }

  /**
   * One {@code -e} value: {@code K=V} as given, {@code K} resolved from the host (dropped when
   * unset), into {@code into} (later values win, first position kept).
   */
  static void addEnv(String value, Map<String, String> hostEnv, Map<String, String> into) {
    int eq = value.indexOf('=');
    if (eq > 0) {
      into.put(value.substring(0, eq), value.substring(eq + 1));
    } else if (eq < 0 && !value.isEmpty() && hostEnv.containsKey(value)) {
      into.put(value, hostEnv.get(value));
    }
  }

  /** Reads an env file on the host: blank lines and {@code #} comments skipped. */
  static void readEnvFile(String path, TranslationContext ctx, Map<String, String> into)
      throws BridgeException {
    List<String> lines;
    try {
      lines = ctx.files().lines(path);
    } catch (IOException e) {
      throw new BridgeException("failed to read env file \"" + path + "\": " + e.getMessage(), e);
    }
    for (String raw : lines) {
      String line = raw.strip();
      if (!line.isEmpty() && !line.startsWith("#")) {
        addEnv(line, ctx.hostEnv(), into);
      }
    }
  }
}
