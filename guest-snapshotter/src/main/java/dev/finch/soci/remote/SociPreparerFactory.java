package dev.finch.soci.remote;

import dev.finch.soci.daemon.DaemonConfig;
import dev.finch.soci.daemon.EventSink;
import dev.finch.soci.daemon.RemotePreparerFactory;
import dev.finch.soci.snapshot.RemotePreparer;
import java.nio.file.Path;

/** Plugs lazy loading into the daemon (registered for {@link java.util.ServiceLoader}). */
public final class SociPreparerFactory implements RemotePreparerFactory {
  @Override
  public RemotePreparer create(DaemonConfig config, Path root, EventSink events) throws java.io.IOException {
    return new SociPreparer(config, root, events);
  }
}
