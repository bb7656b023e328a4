package dev.finch.soci.daemon;

import dev.finch.soci.service.NamespaceInterceptor;
import dev.finch.soci.service.SnapshotsService;
import dev.finch.soci.snapshot.Snapshotter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link Snapshotter} served the way the daemon serves it (its {@link UnixSocketServer}, the
 * Snapshots service behind the namespace interceptor) but without the rest of {@link Wiring}, so
 * tests outside this package can go through the real wire with a snapshotter they configured.
 */
public final class SnapshotsSocket implements AutoCloseable {
  private final UnixSocketServer server;

  private SnapshotsSocket(UnixSocketServer server) {
    this.server = server;
  }

  /** Binds {@code socket} and serves {@code snapshotter} on it until {@link #close()}. */
  public static SnapshotsSocket serve(Path socket, Snapshotter snapshotter) throws IOException {
    return new SnapshotsSocket(
        UnixSocketServer.start(
            socket,
            List.of(new SnapshotsService(snapshotter)),
            List.of(new NamespaceInterceptor())));
  }

  public Path socket() {
    return server.socket();
  }

  /** Stops serving (calls in flight get a second) and removes the socket. */
  @Override
  public void close() {
    server.stop(1);
  }
}
