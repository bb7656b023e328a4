package dev.finch.soci.daemon;

import dev.finch.soci.snapshot.RemotePreparer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Something the daemon serves besides the Snapshots API, found with {@link java.util.ServiceLoader}
 * (as {@link dev.finch.soci.spi.RemotePreparerFactory} is) so that the daemon does not depend on
 * the packages above it. {@link Wiring} starts each one after the gRPC socket is up and closes it
 * first at shutdown; one that fails to start is logged and skipped, never fatal.
 */
public interface DaemonExtension {
  /**
   * Starts serving.
   *
   * @param grpcSocket the daemon's gRPC socket ({@code --address}); an extension that listens on a
   *     socket of its own puts it next to this one
   * @param log the daemon's log
   * @param preparer the daemon's remote preparer (e.g. for {@link RemotePreparer#expect} hints)
   * @return what {@link Wiring} closes at shutdown
   */
  AutoCloseable start(Path grpcSocket, JsonLog log, RemotePreparer preparer) throws IOException;
}
