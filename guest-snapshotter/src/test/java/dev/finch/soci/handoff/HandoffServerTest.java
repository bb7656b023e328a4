package dev.finch.soci.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.daemon.JsonLog;
import dev.finch.soci.daemon.LogLevel;
import dev.finch.soci.snapshot.RemotePreparer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon side of the handoff, without containerd: socket set-up, and a client that goes away.
 */
class HandoffServerTest {
  @TempDir Path tmp;

  @Test
  void aClientThatGoesAwayInterruptsItsPull() throws Exception {
    ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    JsonLog log =
        new JsonLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), LogLevel.DEBUG);
    Path grpc = tmp.resolve("d.sock");
    // a "registry" that takes the connection and never answers
    try (ServerSocket registry = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        AutoCloseable handoff = new HandoffServer().start(grpc, log, RemotePreparer.none())) {
      CountDownLatch connected = new CountDownLatch(1);
      CountDownLatch released = new CountDownLatch(1);
      Thread.ofVirtual()
          .start(
              () -> {
                try (Socket s = registry.accept()) {
                  connected.countDown();
                  // the pull's HTTP exchange is abandoned when the pull is interrupted: EOF here
                  while (s.getInputStream().read() >= 0) {
                    // drain the request
                  }
                  released.countDown();
                } catch (java.io.IOException e) {
                  released.countDown();
                }
              });
      SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
      client.connect(UnixDomainSocketAddress.of(Handoff.socketFor(grpc)));
      new Handoff.Request(
              List.of(
                  "--address",
                  tmp.resolve("no-containerd.sock").toString(),
                  "image",
                  "rpull",
                  "--plain-http",
                  "127.0.0.1:" + registry.getLocalPort() + "/stuck/image:v1"),
              Map.of(),
              "/")
          .write(new DataOutputStream(Channels.newOutputStream(client)));
      assertThat(connected.await(30, TimeUnit.SECONDS))
          .as(logBytes.toString(StandardCharsets.UTF_8))
          .isTrue();
      client.close(); // Ctrl-C
      assertThat(released.await(30, TimeUnit.SECONDS))
          .as("the pull still holds the registry connection")
          .isTrue();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!logBytes.toString(StandardCharsets.UTF_8).contains("\"event\":\"rpull-handoff\"")
          && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(logBytes.toString(StandardCharsets.UTF_8))
          .contains("\"event\":\"rpull-handoff\"")
          .doesNotContain("\"exit_code\":0");
    }
    assertThat(Handoff.socketFor(grpc)).doesNotExist(); // removed at close
  }

  @Test
  void aStaleSocketIsReplacedAndALiveOneIsLeftAlone() throws Exception {
    JsonLog log = new JsonLog(new PrintStream(new ByteArrayOutputStream()), LogLevel.DEBUG);
    Path grpc = tmp.resolve("e.sock");
    Files.writeString(Handoff.socketFor(grpc), "stale");
    try (AutoCloseable first = new HandoffServer().start(grpc, log, RemotePreparer.none())) {
      assertThat(
              Files.readAttributes(
                      Handoff.socketFor(grpc), java.nio.file.attribute.BasicFileAttributes.class)
                  .isOther())
          .as("a socket")
          .isTrue();
      ByteArrayOutputStream second = new ByteArrayOutputStream();
      try (AutoCloseable other =
          new HandoffServer()
              .start(
                  grpc,
                  new JsonLog(
                      new PrintStream(second, true, StandardCharsets.UTF_8), LogLevel.DEBUG),
                  RemotePreparer.none())) {
        assertThat(second.toString(StandardCharsets.UTF_8))
            .contains("another process serves rpull handoff");
      }
      // the first one still answers
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(Handoff.socketFor(grpc)));
        new Handoff.Request(List.of("index", "list"), Map.of(), "/")
            .write(new DataOutputStream(Channels.newOutputStream(ch)));
        Handoff.Frame f = Handoff.Frame.read(new DataInputStream(Channels.newInputStream(ch)));
        assertThat(f.type()).isEqualTo(Handoff.DECLINED);
      }
    }
  }
}
