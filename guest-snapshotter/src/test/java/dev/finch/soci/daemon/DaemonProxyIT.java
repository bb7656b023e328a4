package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.spi.RemotePreparerFactory;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as containerd's proxy snapshotter, end to end with plain overlayfs behaviour ({@link
 * RemotePreparerFactory#none()}): containerd's unpacker prepares every layer through our socket,
 * applies it with its diff service into our mounts and commits; {@code ctr run} then mounts the
 * overlay rootfs we compute and runs a container in it.
 */
class DaemonProxyIT {
  static RegistryFixture registry;
  static DaemonHarness daemon;
  static ContainerdFixture containerd;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    registry = RegistryFixture.builder().start();
    daemon = new DaemonHarness();
    daemon.start(RemotePreparerFactory.none());
    containerd =
        ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }

  @Test
  void pullAndRunThroughSoci(@TempDir Path tmp) {
    TarLayer app =
        TarLayer.builder().dir("app").file("app/greeting.txt", "hello through soci\n").build();
    TarLayer more =
        TarLayer.builder()
            .dir("app")
            .file("app/second.txt", "second layer\n")
            .whiteout("etc/hostname")
            .build();
    OciImage image = TestImages.busybox(tmp.resolve("layout"), "proxy", "v1", app, more);
    TestImages.push(image, registry.hostPort(), "it/proxy", "v1");
    String ref = registry.hostPort() + "/it/proxy:v1";

    ContainerdProcess.Result pull =
        containerd.ctr("images", "pull", "--plain-http", "--snapshotter", "soci", ref);
    assertThat(pull.ok())
        .as("pull: %s\n%s\n%s", pull.output(), containerd.logTail(), daemon.logText())
        .isTrue();

    ContainerdProcess.Result snaps = containerd.ctr("snapshots", "--snapshotter", "soci", "ls");
    assertThat(snaps.ok()).as(snaps.output()).isTrue();
    assertThat(snaps.stdout().lines().filter(l -> l.contains("Committed")).count()).isEqualTo(3);

    ContainerdProcess.Result run =
        containerd.runOnSoci(
            ref,
            "proxy-run-",
            "sh",
            "-c",
            "cat /app/greeting.txt /app/second.txt; test -e /etc/hostname || echo whiteout-ok; echo x > /tmp/w && cat /tmp/w");
    assertThat(run.ok())
        .as("run: %s\n%s\n%s", run.output(), containerd.logTail(), daemon.logText())
        .isTrue();
    assertThat(run.stdout()).contains("hello through soci", "second layer", "whiteout-ok", "x");
    assertThat(daemon.logText()).contains("\"event\":\"ready\"");
  }
}
