package dev.finch.soci.daemon;

import dev.finch.soci.spi.RemotePreparerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An in-process daemon for integration tests: a {@link Wiring} on a temp root and a short socket
 * path (unix socket paths are limited to 107 bytes), logging JSON lines into memory.
 */
final class DaemonHarness implements AutoCloseable {
  final Path dir;
  final Path root;
  final Path socket;
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  final JsonLog log;
  private Wiring wiring;

  DaemonHarness() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "sociit-");
    root = dir.resolve("root");
    socket = dir.resolve("soci.sock");
    log = new JsonLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), LogLevel.DEBUG);
  }

  /** Starts (or restarts) the daemon with {@code factory}. */
  Wiring start(RemotePreparerFactory factory) throws IOException {
    return start(factory, DaemonConfig.defaults());
  }

  Wiring start(RemotePreparerFactory factory, DaemonConfig config) throws IOException {
    return start(factory, config, java.util.List.of());
  }

  /**
   * With the given {@link DaemonExtension}s, as the daemon process starts those on its class path.
   */
  Wiring start(
      RemotePreparerFactory factory,
      DaemonConfig config,
      java.util.List<DaemonExtension> extensions)
      throws IOException {
    wiring =
        Wiring.start(new Wiring.Settings(root, socket, config, factory, log, null, extensions));
    return wiring;
  }

  Wiring wiring() {
    return wiring;
  }

  /** {@link dev.finch.testkit.Fixtures#closeAll}. */
  static void closeAll(AutoCloseable... inOrder) {
    dev.finch.testkit.Fixtures.closeAll(inOrder);
  }

  /** Everything logged so far. */
  String logText() {
    return logBytes.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (wiring != null) {
      wiring.close();
    }
    dev.finch.testkit.MountCleaner.unmountUnder(dir);
    dev.finch.testkit.MountCleaner.deleteTree(dir);
  }
}
