package dev.finch.soci.testing;

import dev.finch.soci.grpc.api.cri.ImageServiceGrpc;
import dev.finch.soci.grpc.api.cri.ImageSpec;
import dev.finch.soci.grpc.api.cri.PullImageRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's part of an image pull: one CRI {@code ImageService.PullImage} call to containerd.
 */
public final class CriPull {
  private CriPull() {}

  /**
   * Pulls {@code ref} through containerd's CRI plugin at {@code socket}; returns the image id
   * (sha256:...).
   */
  public static String pullImage(Path socket, String ref) throws InterruptedException {
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(group)
            .usePlaintext()
            .overrideAuthority("localhost")
            .build();
    try {
      return ImageServiceGrpc.newBlockingStub(ch)
          .withDeadlineAfter(120, TimeUnit.SECONDS)
          .pullImage(
              PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(ref)).build())
          .getImageRef();
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
