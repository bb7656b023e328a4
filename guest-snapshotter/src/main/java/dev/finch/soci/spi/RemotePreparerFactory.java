package dev.finch.soci.spi;

import dev.finch.soci.snapshot.RemotePreparer;
import java.io.IOException;

/**
 * Builds the lazy-loading layer the snapshotter hands remote Prepares to. The daemon calls it once
 * at start, after finding it with {@link java.util.ServiceLoader} (file {@code
 * META-INF/services/dev.finch.soci.spi.RemotePreparerFactory}), so that the FUSE/registry
 * implementation plugs into the daemon without either depending on the other.
 *
 * <p>If the returned preparer implements {@link AutoCloseable}, it is closed at shutdown, after
 * every remote snapshot has been unmounted through {@link RemotePreparer#unmount}. Its metrics are
 * whatever it registered in {@link PluginContext#metrics()}.
 */
@FunctionalInterface
public interface RemotePreparerFactory {
  /** Creates the preparer. */
  RemotePreparer create(PluginContext context) throws IOException;

  /** Plain overlayfs: every layer is pulled and applied by containerd. */
  static RemotePreparerFactory none() {
    return context -> RemotePreparer.none();
  }
}
