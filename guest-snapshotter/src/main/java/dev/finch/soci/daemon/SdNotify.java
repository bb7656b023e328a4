package dev.finch.soci.daemon;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * systemd's readiness protocol ({@code sd_notify(3)}): a datagram such as {@code READY=1} sent to
 * the unix socket named by {@code $NOTIFY_SOCKET}, so a {@code Type=notify} unit (and containerd,
 * ordered after it) starts only once the socket accepts calls. Without the variable nothing is
 * sent. Abstract-namespace sockets ({@code @…}) are not supported by the transport and are skipped.
 */
final class SdNotify {
  private SdNotify() {}

  /**
   * Sends {@code state} (e.g. {@code READY=1}); returns false when there is nowhere to send it.
   *
   * @throws IllegalStateException when the socket exists but the send fails
   */
  static boolean send(String notifySocket, String state) {
    if (notifySocket == null || notifySocket.isBlank() || notifySocket.startsWith("@")) {
      return false;
    }
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    try {
      Channel ch =
          new Bootstrap()
              .group(group)
              .channel(EpollDomainDatagramChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {}
                  })
              .connect(new DomainSocketAddress(notifySocket))
              .syncUninterruptibly()
              .channel();
      try {
        ch.writeAndFlush(Unpooled.wrappedBuffer(state.getBytes(StandardCharsets.UTF_8)))
            .syncUninterruptibly();
      } finally {
        ch.close().syncUninterruptibly();
      }
      return true;
    } catch (Exception e) {
      // Netty rethrows checked connect/send failures undeclared, so catch them all here.
      throw new IllegalStateException(
          "sd_notify "
              + state
              + " to "
              + notifySocket
              + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
