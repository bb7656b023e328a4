package dev.finch.soci.daemon;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code soci image rpull} runs against in {@link RpullIT} and {@link HandoffIT}: a registry
 * holding a busybox image with one more layer ({@code /app/greeting.txt}), our daemon whose {@link
 * BindMountPreparer} serves that top layer from a ready-made tree (the tree a lazy filesystem would
 * present), and containerd with the daemon as its {@code soci} proxy snapshotter. Each part is set
 * once it is up, so {@link #close} after a failed {@link #start} closes just those.
 */
final class RpullStack implements AutoCloseable {
  final OciImage image;
  final BindMountPreparer preparer;
  private final String name;
  private final List<DaemonExtension> extensions;
  RegistryFixture registry;
  DaemonHarness daemon;
  ContainerdFixture containerd;

  /** The image's reference once pushed: {@code <registry>/it/<name>:v1}. */
  String ref;

  /**
   * Builds the image under {@code tmp}, its top layer's file holding {@code greeting}; {@code name}
   * names the image and its repository; the daemon will serve {@code extensions} as well.
   */
  RpullStack(Path tmp, String name, String greeting, List<DaemonExtension> extensions)
      throws IOException {
    this.name = name;
    this.extensions = List.copyOf(extensions);
    TarLayer app = TarLayer.builder().dir("app").file("app/greeting.txt", greeting).build();
    image = TestImages.busybox(tmp.resolve("layout"), name, "v1", app);
    Path tree = Files.createDirectories(tmp.resolve("tree/app"));
    Files.writeString(tree.resolve("greeting.txt"), greeting);
    preparer = new BindMountPreparer(Map.of(appDigest(), tmp.resolve("tree")));
  }

  /** Starts the registry and pushes the image, then the daemon, then containerd. */
  void start() throws Exception {
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/" + name, "v1");
    ref = registry.hostPort() + "/it/" + name + ":v1";
    daemon = new DaemonHarness();
    startDaemon();
    containerd =
        ContainerdFixture.builder().proxySnapshotter("soci", daemon.socket).build().start();
  }

  /** Starts (or, after a crash or close, restarts) the daemon with the preparer and extensions. */
  Wiring startDaemon() throws IOException {
    return daemon.start(context -> preparer, DaemonConfig.defaults(), extensions);
  }

  /** The digest of the busybox layer, which the preparer leaves to containerd. */
  String baseDigest() {
    return image.single().layers().get(0).blob().digest();
  }

  /** The digest of the top layer, which the preparer bind-mounts. */
  String appDigest() {
    return image.single().layers().get(1).blob().digest();
  }

  @Override
  public void close() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }
}
