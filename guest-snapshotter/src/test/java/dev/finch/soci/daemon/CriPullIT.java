package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.grpc.api.cri.ImageServiceGrpc;
import dev.finch.soci.grpc.api.cri.ImageSpec;
import dev.finch.soci.grpc.api.cri.PullImageRequest;
import dev.finch.soci.grpc.api.cri.PullImageResponse;
import dev.finch.soci.remote.SociPreparerFactory;
import dev.finch.soci.testing.SociRuns;
import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.RegistryFixture;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes path without a kubelet: a CRI {@code PullImage} call to containerd's CRI plugin
 * (snapshotter soci, snapshot annotations on) makes our daemon mount the indexed layer lazily.
 */
class CriPullIT {
  @TempDir static Path tmp;
  static RegistryFixture registry;
  static DaemonHarness daemon;
  static ContainerdFixture containerd;
  static OciImage image;
  static String ref;

  @BeforeAll
  static void start() throws Exception {
    ContainerdFixture.assumeRoot();
    TarLayer.Builder data = TarLayer.builder().dir("data");
    for (int i = 0; i < 16; i++) {
      data.randomFile(String.format("data/file%02d.bin", i), 1 << 20, 500 + i);
    }
    image = TestImages.busybox(tmp.resolve("layout"), "cri", "v1", data.build());
    registry = RegistryFixture.builder().start();
    TestImages.push(image, registry.hostPort(), "it/cri", "v1");
    ref = registry.hostPort() + "/it/cri:v1";
    daemon = new DaemonHarness();
    daemon.start(new SociPreparerFactory());
    String cri =
        """
          disable_tcp_service = true
          [plugins."io.containerd.grpc.v1.cri".containerd]
            snapshotter = "soci"
            disable_snapshot_annotations = false
          [plugins."io.containerd.grpc.v1.cri".registry.mirrors."%s"]
            endpoint = ["http://%s"]
        """.formatted(registry.hostPort(), registry.hostPort());
    containerd = ContainerdFixture.builder().enableCri(cri).proxySnapshotter("soci", daemon.socket).build().start();
    containerd.ctrIn("build", "images", "pull", "--plain-http", ref).check();
    Path cli = tmp.resolve("soci-cli");
    assertThat(SociRuns.soci(containerd.socket(), cli, "--namespace", "build", "create", "--min-layer-size", "2000000", ref).rc()).isZero();
    assertThat(SociRuns.soci(containerd.socket(), cli, "--namespace", "build", "push", "--plain-http", ref).rc()).isZero();
  }

  @AfterAll
  static void stop() {
    DaemonHarness.closeAll(containerd, daemon, registry);
  }

  @Test
  void criPullImageLoadsTheIndexedLayerLazily() throws Exception {
    String dataLayer = image.single().layers().get(1).blob().digest();
    long before = registry.blobBytesServed(dataLayer.substring(7));
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(containerd.socket().toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(group)
            .usePlaintext()
            .overrideAuthority("localhost")
            .build();
    try {
      PullImageResponse r =
          ImageServiceGrpc.newBlockingStub(ch)
              .withDeadlineAfter(120, TimeUnit.SECONDS)
              .pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(ref)).build());
      assertThat(r.getImageRef()).startsWith("sha256:");
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    assertThat(daemon.logText()).contains("\"event\":\"remote-snapshot-prepared\"").contains(dataLayer);
    assertThat(registry.blobBytesServed(dataLayer.substring(7)) - before)
        .as("bytes of the indexed layer served during the CRI pull").isLessThan(image.single().layers().get(1).blob().size() / 5);
  }
}
