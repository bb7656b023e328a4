package dev.finch.soci.daemon;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server on a unix socket (Netty epoll), with one virtual thread per call so blocking
 * snapshotter work never starves the event loop. The socket's directory is created {@code 0700} if
 * missing, a stale socket from a previous run is replaced, and the socket is made {@code 0660} (the
 * mode of the reference's systemd socket unit).
 */
final class UnixSocketServer implements AutoCloseable {
  /** containerd's default message size limit. */
  private static final int MAX_MESSAGE = 16 << 20;

  private final Path socket;
  private final Server server;
  private final EpollEventLoopGroup boss;
  private final EpollEventLoopGroup workers;
  private final ExecutorService executor;

  private UnixSocketServer(
      Path socket,
      Server server,
      EpollEventLoopGroup boss,
      EpollEventLoopGroup workers,
      ExecutorService executor) {
    this.socket = socket;
    this.server = server;
    this.boss = boss;
    this.workers = workers;
    this.executor = executor;
  }

  /** Binds {@code socket} and starts serving {@code services}, each behind {@code interceptors}. */
  static UnixSocketServer start(
      Path socket, List<BindableService> services, List<ServerInterceptor> interceptors)
      throws IOException {
    Path dir = socket.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
    if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("cannot listen on " + socket + ": it is a directory");
      }
      Files.delete(socket);
    }
    EpollEventLoopGroup boss =
        new EpollEventLoopGroup(1, new DefaultThreadFactory("grpc-boss", true));
    EpollEventLoopGroup workers =
        new EpollEventLoopGroup(2, new DefaultThreadFactory("grpc-worker", true));
    ExecutorService executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("grpc-call-", 0).factory());
    NettyServerBuilder b =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(boss)
            .workerEventLoopGroup(workers)
            .executor(executor)
            .maxInboundMessageSize(MAX_MESSAGE);
    for (BindableService s : services) {
      b.addService(ServerInterceptors.intercept(s, interceptors));
    }
    Server server;
    try {
      server = b.build().start();
    } catch (IOException | RuntimeException e) {
      shutdown(boss, workers, executor);
      throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
    }
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
    return new UnixSocketServer(socket, server, boss, workers, executor);
  }

  Path socket() {
    return socket;
  }

  /**
   * Stops accepting calls, lets running ones finish for up to {@code graceSeconds}, removes the
   * socket.
   */
  void stop(long graceSeconds) {
    server.shutdown();
    try {
      if (!server.awaitTermination(graceSeconds, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    shutdown(boss, workers, executor);
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // The next start replaces a stale socket anyway.
    }
  }

  private static void shutdown(
      EpollEventLoopGroup boss, EpollEventLoopGroup workers, ExecutorService executor) {
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    executor.shutdownNow();
  }

  @Override
  public void close() {
    stop(5);
  }
}
