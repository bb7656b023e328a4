package dev.finch.bridge;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds host programs for the native Linux engine: on {@code PATH} first, then in the directory of
 * finch's own launcher ({@code build/bin}), where the build puts our {@code soci}.
 *
 * @param env the host environment (its {@code PATH})
 * @param extraDirs directories searched after {@code PATH}
 */
public record BinaryLocator(Map<String, String> env, List<Path> extraDirs) {
  public BinaryLocator {
    env = Map.copyOf(env);
    extraDirs = List.copyOf(extraDirs);
  }

  /** The first executable {@code name} on PATH, then in the extra directories. */
  public Optional<Path> find(String name) {
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Optional.of(Path.of(dir, name));
      }
    }
    for (Path dir : extraDirs) {
      if (Files.isExecutable(dir.resolve(name))) {
        return Optional.of(dir.resolve(name));
      }
    }
    return Optional.empty();
  }
}
