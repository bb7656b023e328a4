package dev.finch.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * A validated finch.yaml together with where it came from.
 *
 * @param file the finch.yaml path that was read (or would have been)
 * @param exists whether the file existed; when not, {@code config} holds the defaults
 * @param config the effective configuration
 * @param lines 1-based line of every key present in the file ({@code snapshotters[0]} for items)
 * @param warnings what the user should know although loading succeeded
 */
public record LoadedConfig(
    Path file,
    boolean exists,
    FinchConfig config,
    Map<String, Integer> lines,
    java.util.List<String> warnings) {
  public LoadedConfig {
    lines = Map.copyOf(lines);
    warnings = java.util.List.copyOf(warnings);
  }

  public LoadedConfig(Path file, boolean exists, FinchConfig config, Map<String, Integer> lines) {
    this(file, exists, config, lines, java.util.List.of());
  }
}
