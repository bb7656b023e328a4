package dev.finch.soci.daemon;

import dev.finch.soci.snapshot.RemotePreparer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds the lazy-loading layer the snapshotter hands remote Prepares to. {@link Wiring} calls it
 * once at start; this seam lets the FUSE/registry implementation plug into the daemon without the
 * daemon depending on it.
 *
 * <p>Optional capabilities are discovered on the returned object: if it implements {@link
 * MetricsSource} its metrics are served on {@code metrics_address}; if it implements {@link
 * AutoCloseable} it is closed at shutdown, after every remote snapshot has been unmounted through
 * {@link RemotePreparer#unmount}.
 */
@FunctionalInterface
public interface RemotePreparerFactory {
  /**
   * Creates the preparer.
   *
   * @param config the daemon configuration (pull modes, blob, background fetch, resolver, cache)
   * @param root the daemon root ({@code --root}); the preparer owns everything under it except
   *     {@code snapshotter/}
   * @param events where to report {@code remote-snapshot-prepared} and similar events
   */
  RemotePreparer create(DaemonConfig config, Path root, EventSink events) throws IOException;

  /** Plain overlayfs: every layer is pulled and applied by containerd. */
  static RemotePreparerFactory none() {
    return (config, root, events) -> RemotePreparer.none();
  }
}
