package dev.finch.testkit.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What fuzz targets share: reading a seed file, and keeping a parser's result alive. */
public final class FuzzInputs {
  private FuzzInputs() {}

  @SuppressWarnings("unused")
  private static volatile int sink;

  /** The bytes of a seed file; a missing seed is a broken test, so unchecked. */
  public static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Keeps values alive so that computing them is not optimised away. */
  public static void use(Object... values) {
    sink = java.util.Arrays.hashCode(values);
  }
}
