package dev.finch.soci.service;

import dev.finch.soci.daemon.SnapshotsSocket;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.snapshot.Snapshotter;
import dev.finch.soci.snapshot.SnapshotterContractTest;
import dev.finch.soci.snapshot.overlay.OverlayOptions;
import dev.finch.soci.snapshot.overlay.OverlaySnapshotter;
import dev.finch.testkit.MountCleaner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The snapshotter contract through the wire: an {@link OverlaySnapshotter} served by {@link
 * SnapshotsService} on a real unix socket (the daemon's own server), driven by our containerd
 * client through {@link SnapshotClientAdapter}. Every contract test passing here as well as
 * directly is what shows that the service and the client carry mounts, infos, labels, timestamps,
 * namespaces and error kinds (with their messages) unchanged. Needs no root: nothing is mounted.
 */
class SnapshotsServiceContractTest extends SnapshotterContractTest {

  @Override
  protected Snapshotter open(Path root, RemotePreparer remote) throws IOException {
    OverlaySnapshotter overlay =
        OverlaySnapshotter.open(
            OverlaySnapshotter.Config.of(root)
                .withOverlay(new OverlayOptions(OverlayOptions.Flavor.CONTAINERD, false, false))
                .withRemote(remote));
    // A socket path must fit in sun_path (108 bytes), which a JUnit temp dir may not.
    Path socketDir = Files.createTempDirectory(Path.of("/tmp"), "sn-wire-");
    SnapshotsSocket server;
    try {
      server = SnapshotsSocket.serve(socketDir.resolve("snapshots.sock"), overlay);
    } catch (IOException | RuntimeException e) {
      overlay.close();
      MountCleaner.deleteTree(socketDir);
      throw e;
    }
    return new SnapshotClientAdapter(
        server.socket(),
        "soci",
        () -> {
          server.close();
          overlay.close();
          MountCleaner.deleteTree(socketDir);
        });
  }
}
