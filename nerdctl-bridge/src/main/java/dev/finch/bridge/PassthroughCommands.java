package dev.finch.bridge;

import dev.finch.config.HostOs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The nerdctl commands finch passes through, as Finch registers them ({@code
 * cmd/finch/nerdctl.go}), with Finch's aliases and the groups that show help when called without
 * arguments.
 */
public final class PassthroughCommands {
  /** Commands on every host. */
  public static final List<String> NAMES =
      List.of(
          "build",
          "builder",
          "commit",
          "compose",
          "container",
          "create",
          "cp",
          "events",
          "exec",
          "history",
          "image",
          "images",
          "info",
          "inspect",
          "kill",
          "load",
          "logs",
          "network",
          "pause",
          "port",
          "ps",
          "pull",
          "push",
          "restart",
          "rm",
          "rmi",
          "run",
          "save",
          "start",
          "stats",
          "stop",
          "system",
          "tag",
          "top",
          "unpause",
          "update",
          "volume",
          "wait");

  /** Groups that print help when given no arguments. */
  static final Set<String> IMPLICIT_HELP =
      Set.of("system", "builder", "compose", "container", "image", "network", "volume");

  private static final Map<String, List<String>> ALIASES =
      Map.of(
          "build", List.of("image", "build"),
          "run", List.of("container", "run"),
          "cp", List.of("container", "cp"));
  private static final Map<String, List<String>> WINDOWS_ALIASES =
      Map.of(
          "save", List.of("image", "save"),
          "load", List.of("image", "load"));

  private PassthroughCommands() {}

  /**
   * Whether {@code name} is passed through on this host. {@code login}/{@code logout} are
   * pass-through on Linux only (Finch runs them on the macOS/Windows host); {@code buildx} only
   * with dockercompat.
   */
  public static boolean isPassthrough(String name, HostOs os, boolean dockercompat) {
    return NAMES.contains(name)
        || (os == HostOs.LINUX && (name.equals("login") || name.equals("logout")))
        || (dockercompat && name.equals("buildx"));
  }

  /** The nerdctl command words for a finch command ({@code run} is {@code container run}). */
  public static List<String> commandWords(String name, HostOs os) {
    Optional<List<String>> alias = Optional.ofNullable(ALIASES.get(name));
    if (alias.isEmpty() && os == HostOs.WINDOWS) {
      alias = Optional.ofNullable(WINDOWS_ALIASES.get(name));
    }
    return alias.orElse(List.of(name));
  }
}
