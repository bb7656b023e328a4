package dev.finch.soci.ztoc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates {@code shared/vectors} by walking up from the module directory. */
public final class Vectors {
  private static final String RELATIVE = "shared/vectors";

  private Vectors() {}

  public static Path dir() {
    Path start = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      Path candidate = p.resolve(RELATIVE);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "test vectors not found: no " + RELATIVE + " directory above " + start);
  }

  public static Path path(String name) {
    return dir().resolve(name);
  }

  public static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
