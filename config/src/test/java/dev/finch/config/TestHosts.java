package dev.finch.config;

import java.nio.file.Path;
import java.util.Map;

/** Host facts for tests: a 8-CPU, 16 GiB machine of the given OS. */
public final class TestHosts {
  private TestHosts() {}

  public static HostFacts of(HostOs os) {
    return new HostFacts(
        os, "x86_64", 8, 16L << 30, os == HostOs.MACOS ? 15 : 0, Path.of("/home/user"), Map.of());
  }
}
