package dev.finch.soci.containerd;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** One gRPC channel over containerd's unix socket, shared by every client view built on it. */
final class Connection implements AutoCloseable {
  /** containerd's default max message size is 16 MiB; chunks we send stay far below it. */
  private static final int MAX_INBOUND = 16 << 20;

  private final Path socket;
  private final EpollEventLoopGroup group;
  private final ManagedChannel channel;

  Connection(Path socket) {
    this.socket = socket;
    this.group = new EpollEventLoopGroup(1, new DefaultThreadFactory("containerd-client", true));
    this.channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(group)
            .usePlaintext()
            .overrideAuthority("localhost")
            .maxInboundMessageSize(MAX_INBOUND)
            .build();
  }

  Path socket() {
    return socket;
  }

  ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
