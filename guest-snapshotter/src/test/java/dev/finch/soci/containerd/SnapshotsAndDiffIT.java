package dev.finch.soci.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.image.OciLayer;
import dev.finch.testkit.image.OciLayoutWriter;
import dev.finch.testkit.image.TarLayer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Snapshots and Diff protos against containerd's built-in overlayfs snapshotter: proves our
 * declarations are wire-compatible (the daemon will serve the same Snapshots service).
 */
class SnapshotsAndDiffIT {
  @RegisterExtension
  static final ContainerdFixture CONTAINERD = ContainerdFixture.builder().build();

  @TempDir static Path tmp;

  static ContainerdClient client;
  static ContainerdClient leased;
  static SnapshotClient overlay;

  @BeforeAll
  static void connect() {
    client = ContainerdClient.connect(CONTAINERD.socket(), "default");
    client
        .leases()
        .create("it-snapshots", Lease.expiringAt(Instant.now().plus(1, ChronoUnit.HOURS)));
    leased = client.withLease("it-snapshots");
    overlay = leased.snapshots("overlayfs");
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void prepareCommitStatListRemove() {
    List<ContainerdMount> base = overlay.prepare("it-s1-active", "", Map.of("finch.test/a", "1"));
    assertThat(base)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.type()).isEqualTo("bind");
              assertThat(m.options()).contains("rbind");
            });
    assertThat(overlay.stat("it-s1-active").kind()).isEqualTo(SnapshotInfo.Kind.ACTIVE);
    assertThat(overlay.mounts("it-s1-active")).isEqualTo(base);

    overlay.commit("it-s1", "it-s1-active", Map.of("finch.test/b", "2"));
    SnapshotInfo committed = overlay.stat("it-s1");
    assertThat(committed.kind()).isEqualTo(SnapshotInfo.Kind.COMMITTED);
    assertThat(committed.labels()).containsEntry("finch.test/b", "2");
    assertThatThrownBy(() -> overlay.stat("it-s1-active"))
        .isInstanceOfSatisfying(
            ContainerdException.class,
            e -> assertThat(e.kind()).isEqualTo(ContainerdException.Kind.NOT_FOUND));

    List<ContainerdMount> child = overlay.prepare("it-s2", "it-s1", Map.of());
    assertThat(child)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.type()).isEqualTo("overlay");
              assertThat(m.options())
                  .anyMatch(o -> o.startsWith("lowerdir="))
                  .anyMatch(o -> o.startsWith("upperdir="));
            });
    assertThat(overlay.stat("it-s2").parent()).isEqualTo("it-s1");
    List<ContainerdMount> view = overlay.view("it-s1-view", "it-s1", Map.of());
    assertThat(view).isNotEmpty();
    assertThat(overlay.list())
        .extracting(SnapshotInfo::name)
        .contains("it-s1", "it-s2", "it-s1-view");
    assertThat(overlay.usage("it-s1").size()).isGreaterThanOrEqualTo(0);

    assertThatThrownBy(() -> overlay.prepare("it-s2", "it-s1", Map.of()))
        .isInstanceOfSatisfying(
            ContainerdException.class,
            e -> assertThat(e.kind()).isEqualTo(ContainerdException.Kind.ALREADY_EXISTS));
    assertThatThrownBy(() -> overlay.remove("it-s1"))
        .isInstanceOfSatisfying(
            ContainerdException.class,
            e -> assertThat(e.kind()).isEqualTo(ContainerdException.Kind.FAILED_PRECONDITION));

    overlay.remove("it-s2");
    overlay.remove("it-s1-view");
    overlay.remove("it-s1");
    // overlayfs without async removal has no Cleanup; containerd says so through the same RPC.
    try {
      overlay.cleanup();
    } catch (ContainerdException e) {
      assertThat(e.kind()).isEqualTo(ContainerdException.Kind.UNIMPLEMENTED);
      assertThat(e.getMessage()).contains("Cleanup");
    }
    assertThat(overlay.list())
        .extracting(SnapshotInfo::name)
        .doesNotContain("it-s1", "it-s2", "it-s1-view");
  }

  @Test
  void applyGzipLayerOntoPreparedSnapshotAndMountIt() throws Exception {
    ContainerdFixture.assumeRoot();
    TarLayer layer =
        TarLayer.builder()
            .dir("etc")
            .file("etc/motd", "applied by containerd\n")
            .randomFile("blob.bin", 300_000, 5)
            .symlink("motd-link", "etc/motd")
            .build();
    OciLayoutWriter w = new OciLayoutWriter(tmp.resolve("layout"));
    OciLayer written = w.addLayer(layer, OciLayoutWriter.Compression.GZIP);
    byte[] blob = Files.readAllBytes(w.blobPath(written.blob().digest()));
    ContentInfo stored = leased.content().write(blob, Map.of());
    Descriptor desc = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, stored.digest(), stored.size());

    List<ContainerdMount> mounts = overlay.prepare("it-apply-active", "", Map.of());
    Descriptor applied = leased.diff().apply(desc, mounts);
    assertThat(applied.digest()).isEqualTo(Digest.parse(written.diffId()));
    assertThat(applied.mediaType()).isEqualTo(MediaTypes.OCI_LAYER_TAR);
    overlay.commit("it-apply", "it-apply-active", Map.of());

    List<ContainerdMount> top = overlay.prepare("it-apply-top", "it-apply", Map.of());
    Path target = Files.createDirectory(tmp.resolve("rootfs"));
    Mounter.mount(top, target);
    try {
      assertThat(Files.readString(target.resolve("etc/motd"), StandardCharsets.UTF_8))
          .isEqualTo("applied by containerd\n");
      assertThat(Files.readSymbolicLink(target.resolve("motd-link")).toString())
          .isEqualTo("etc/motd");
      byte[] random = Files.readAllBytes(target.resolve("blob.bin"));
      assertThat(Arrays.equals(random, TarLayer.randomBytes(5, 300_000))).isTrue();
      Files.writeString(target.resolve("etc/new"), "upper\n");
    } finally {
      Mounter.unmount(target);
    }
    assertThat(overlay.usage("it-apply-top").size()).isPositive();
    overlay.remove("it-apply-top");
    overlay.remove("it-apply");
  }
}
