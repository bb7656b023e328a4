package dev.finch.soci.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The busybox test image runs under runc via {@code ctr run}: the base for lazy-loading e2e tests.
 */
class CtrRunIT {
  @RegisterExtension
  static final ContainerdFixture CONTAINERD = ContainerdFixture.builder().build();

  @Test
  void busyboxImageRuns(@TempDir Path tmp) {
    TarLayer app =
        TarLayer.builder().dir("app").file("app/greeting.txt", "hello from a test image\n").build();
    OciImage image =
        TestImages.busybox(tmp.resolve("layout"), "docker.io/finch/busybox:run", "run", app);
    TestImages.importInto(CONTAINERD, image, false);

    ContainerdProcess.Result r =
        CONTAINERD.ctr(
            "run",
            "--rm",
            image.name(),
            "it-run-" + ProcessHandle.current().pid(),
            "sh",
            "-c",
            "cat /app/greeting.txt && echo -n abc | sha256sum && ls /bin/busybox");
    assertThat(r.ok())
        .as("ctr run: %s\ncontainerd log:\n%s", r.output(), CONTAINERD.logTail())
        .isTrue();
    assertThat(r.stdout())
        .contains("hello from a test image")
        .contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        .contains("/bin/busybox");
  }
}
