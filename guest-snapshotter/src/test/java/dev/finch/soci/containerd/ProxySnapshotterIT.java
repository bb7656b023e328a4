package dev.finch.soci.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.MountCleaner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * containerd calling a snapshotter we serve with our Snapshots declaration (proxy plugin),
 * including the remote-snapshot handshake SOCI relies on: Prepare with {@code
 * containerd.io/snapshot.ref} answered by ALREADY_EXISTS makes containerd adopt the target.
 */
class ProxySnapshotterIT {
  static final Path PROXY_DIR;
  static final FakeProxySnapshotter FAKE;

  static {
    try {
      PROXY_DIR = Files.createTempDirectory("fake-snap-");
      FAKE = new FakeProxySnapshotter(PROXY_DIR.resolve("fake.sock"), PROXY_DIR);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @RegisterExtension
  static final ContainerdFixture CONTAINERD =
      ContainerdFixture.builder().proxySnapshotter("fake", PROXY_DIR.resolve("fake.sock")).build();

  static ContainerdClient client;
  static SnapshotClient fake;

  @BeforeAll
  static void connect() {
    client = ContainerdClient.connect(CONTAINERD.socket(), "default");
    fake = client.snapshots("fake");
  }

  @AfterAll
  static void close() throws InterruptedException {
    if (client != null) {
      client.close();
    }
    FAKE.close();
    MountCleaner.deleteTree(PROXY_DIR);
  }

  @Test
  void proxyPluginIsRegistered() {
    assertThat(CONTAINERD.ctr("plugins", "ls").check().stdout())
        .containsPattern("io\\.containerd\\.snapshotter\\.v1\\s+fake\\s+\\S+\\s+ok");
  }

  @Test
  void containerdForwardsPrepareAndCommitToOurService() {
    List<ContainerdMount> mounts = fake.prepare("it-active", "", Map.of("finch.test/x", "y"));
    assertThat(mounts)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.type()).isEqualTo("bind");
              assertThat(m.options()).containsExactly("rbind", "ro");
            });
    // containerd's metadata layer namespaces the key before it reaches the snapshotter.
    assertThat(FAKE.calls)
        .anyMatch(c -> c.startsWith("prepare default/") && c.contains("/it-active parent="));

    fake.commit("it-committed", "it-active", Map.of());
    assertThat(FAKE.calls)
        .anyMatch(c -> c.startsWith("commit default/") && c.contains("/it-committed"));
    assertThat(fake.stat("it-committed").kind()).isEqualTo(SnapshotInfo.Kind.COMMITTED);
    assertThat(CONTAINERD.ctr("snapshots", "--snapshotter", "fake", "ls").check().stdout())
        .contains("it-committed");
  }

  @Test
  void alreadyExistsWithTargetLabelMeansPreparedRemotely() {
    assertThatThrownBy(
            () ->
                fake.prepare(
                    "extract-it-layer",
                    "",
                    Map.of(FakeProxySnapshotter.TARGET_LABEL, "it-remote-layer")))
        .isInstanceOfSatisfying(
            ContainerdException.class,
            e -> assertThat(e.kind()).isEqualTo(ContainerdException.Kind.ALREADY_EXISTS));
    SnapshotInfo adopted = fake.stat("it-remote-layer");
    assertThat(adopted.kind()).isEqualTo(SnapshotInfo.Kind.COMMITTED);
    assertThat(adopted.labels())
        .containsEntry(FakeProxySnapshotter.TARGET_LABEL, "it-remote-layer");
  }
}
