package dev.finch.soci.snapshot.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.snapshot.ErrorKind;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.snapshot.SnapshotAssertions;
import dev.finch.soci.snapshot.SnapshotLabels;
import dev.finch.soci.snapshot.Snapshotter;
import dev.finch.soci.snapshot.SnapshotterContractTest;
import dev.finch.soci.snapshot.overlay.storage.MetaStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the contract against {@link OverlaySnapshotter}, plus its own extensions. */
class OverlaySnapshotterContractTest extends SnapshotterContractTest {

  static OverlaySnapshotter.Config config(Path root, RemotePreparer remote) {
    return OverlaySnapshotter.Config.of(root)
        .withOverlay(new OverlayOptions(OverlayOptions.Flavor.CONTAINERD, false, false))
        .withRemote(remote)
        .withStore(
            new MetaStore.Options(16, dev.finch.soci.snapshot.overlay.storage.FaultHook.NONE));
  }

  @Override
  protected Snapshotter open(Path root, RemotePreparer remote) throws IOException {
    return OverlaySnapshotter.open(config(root, remote));
  }

  OverlaySnapshotter overlay() {
    return (OverlaySnapshotter) sn;
  }

  @Test
  void remoteSnapshotsListsCommittedRemoteLayersForRestart() throws IOException {
    remote.answer = (key, fsDir, labels) -> new RemotePreparer.Remote();
    SnapshotAssertions.expectError(
        ErrorKind.ALREADY_EXISTS, () -> sn.prepare("x", "", Map.of(REF, "sha256:r1"), "k8s.io"));
    remote.answer = (key, fsDir, labels) -> new RemotePreparer.Local();
    SnapshotAssertions.expectError(
        ErrorKind.ALREADY_EXISTS,
        () -> sn.prepare("y", "sha256:r1", Map.of(REF, "sha256:l2"), "k8s.io"));
    sn.prepare("z", "", Map.of(SnapshotLabels.REMOTE, SnapshotLabels.REMOTE_VALUE));
    sn.close();
    sn = open(root, remote);
    List<RestorableSnapshot> r = overlay().remoteSnapshots();
    assertThat(r).hasSize(1);
    assertThat(r.getFirst().info().name()).isEqualTo("sha256:r1");
    assertThat(r.getFirst().id()).isEqualTo("1");
    assertThat(r.getFirst().fsDir()).isEqualTo(Path.of(fs(1)));
    assertThat(r.getFirst().namespace()).isEqualTo("k8s.io");
    assertThat(overlay().upperPath("sha256:l2")).isEqualTo(Path.of(fs(2)));
  }

  @Test
  void sociFlavourPutsUserxattrLastAndNeverIndexOff() throws IOException {
    sn.close();
    sn =
        OverlaySnapshotter.open(
            config(root, remote)
                .withOverlay(new OverlayOptions(OverlayOptions.Flavor.SOCI, true, true)));
    chain("base");
    assertThat(sn.prepare("c", "base", Map.of()).getFirst().options())
        .containsExactly(
            "workdir=" + work(2), "upperdir=" + fs(2), "lowerdir=" + fs(1), "userxattr");
  }

  @Test
  void containerdFlavourPutsIndexOffAndUserxattrFirst() throws IOException {
    sn.close();
    sn =
        OverlaySnapshotter.open(
            config(root, remote)
                .withOverlay(new OverlayOptions(OverlayOptions.Flavor.CONTAINERD, true, true)));
    chain("l1", "l2");
    assertThat(sn.prepare("c", "l2", Map.of()).getFirst().options())
        .containsExactly(
            "index=off",
            "userxattr",
            "workdir=" + work(3),
            "upperdir=" + fs(3),
            "lowerdir=" + fs(2) + ":" + fs(1));
    assertThat(sn.view("v", "l2", Map.of()).getFirst().options())
        .containsExactly("index=off", "userxattr", "lowerdir=" + fs(2) + ":" + fs(1));
  }
}
