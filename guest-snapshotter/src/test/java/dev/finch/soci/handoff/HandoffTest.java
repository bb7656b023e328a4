package dev.finch.soci.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handoff wire format and the client's relaying, against a scripted server on a real unix
 * socket.
 */
class HandoffTest {
  @TempDir Path tmp;

  @Test
  void socketSitsBesideTheDaemonsGrpcSocket() {
    assertThat(Handoff.socketFor(Path.of("/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock")))
        .isEqualTo(Path.of("/run/soci-snapshotter-grpc/soci-snapshotter-grpc.rpull.sock"));
    assertThat(Handoff.socketFor(Path.of("/tmp/d/api")))
        .isEqualTo(Path.of("/tmp/d/api.rpull.sock"));
    assertThat(Handoff.socketFrom(Map.of()))
        .isEqualTo(Path.of("/run/soci-snapshotter-grpc/soci-snapshotter-grpc.rpull.sock"));
    assertThat(Handoff.socketFrom(Map.of("SOCI_SNAPSHOTTER_ADDRESS", "unix:///x/y.sock")))
        .isEqualTo(Path.of("/x/y.rpull.sock"));
  }

  @Test
  void requestRoundTripsWithUnicodeAndEmptyStrings() throws IOException {
    Handoff.Request r =
        new Handoff.Request(
            List.of("image", "rpull", "", "reg.example/ü:1"),
            Map.of("HOME", "/root", "EMPTY", ""),
            "/srv/wd");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    r.write(new DataOutputStream(bytes));
    Handoff.Request back =
        Handoff.Request.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertThat(back).isEqualTo(r);
  }

  @Test
  void requestOfAnotherVersionOrNotOneIsRefused() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(Handoff.MAGIC);
    out.writeInt(Handoff.VERSION + 1);
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    Handoff.Request.read(
                        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("version " + (Handoff.VERSION + 1));
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    Handoff.Request.read(
                        new DataInputStream(
                            new ByteArrayInputStream(
                                "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII))))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a soci handoff request");
  }

  @Test
  void clientRelaysOutputAndReturnsTheExitCode() throws Exception {
    AtomicReference<Handoff.Request> seen = new AtomicReference<>();
    Result r =
        runAgainst(
            (req, out) -> {
              seen.set(req);
              frame(out, Handoff.STDOUT, "img: resolved\n");
              frame(out, Handoff.STDERR, "soci: warning\n");
              Handoff.writeExit(out, 3);
            },
            "image",
            "rpull",
            "img");
    assertThat(r.rc).isEqualTo(3);
    assertThat(r.out).isEqualTo("img: resolved\n");
    assertThat(r.err).isEqualTo("soci: warning\n");
    assertThat(seen.get().args()).containsExactly("image", "rpull", "img");
    assertThat(seen.get().cwd()).isEqualTo("/client/wd");
    assertThat(seen.get().env()).containsEntry("CONTAINERD_NAMESPACE", "ns1");
  }

  @Test
  void declinedMeansNotHandedOffAndPrintsNothingWithoutDebug() throws Exception {
    Result r =
        runAgainst(
            (req, out) -> frame(out, Handoff.DECLINED, "not an image rpull"), "index", "list");
    assertThat(r.rc).isEqualTo(Handoff.NOT_HANDED_OFF);
    assertThat(r.out).isEmpty();
    assertThat(r.err).isEmpty();
    Result debug =
        runAgainst(
            (req, out) -> frame(out, Handoff.DECLINED, "not an image rpull"),
            "--debug",
            "index",
            "list");
    assertThat(debug.rc).isEqualTo(Handoff.NOT_HANDED_OFF);
    assertThat(debug.err).contains("declined", "not an image rpull", "running it here");
  }

  @Test
  void daemonGoingAwayBeforeAnyOutputFallsBackButAfterOutputIsAnError() throws Exception {
    Result silent = runAgainst((req, out) -> {}, "image", "rpull", "img");
    assertThat(silent.rc).isEqualTo(Handoff.NOT_HANDED_OFF);
    Result cut =
        runAgainst(
            (req, out) -> frame(out, Handoff.STDOUT, "img: resolved\n"), "image", "rpull", "img");
    assertThat(cut.rc).isEqualTo(1);
    assertThat(cut.out).isEqualTo("img: resolved\n");
    assertThat(cut.err).contains("ended the rpull before it finished", "SOCI_RPULL_HANDOFF=0");
  }

  @Test
  void noDaemonOrHandoffOffMeansNotHandedOff() {
    Map<String, String> env =
        Map.of("SOCI_SNAPSHOTTER_ADDRESS", tmp.resolve("none.sock").toString());
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    assertThat(HandoffClient.run(new String[] {"image", "rpull", "x"}, env, "/", quiet, quiet))
        .isEqualTo(Handoff.NOT_HANDED_OFF);
    assertThat(
            HandoffClient.run(
                new String[] {"image", "rpull", "x"},
                Map.of("SOCI_RPULL_HANDOFF", "0"),
                "/",
                quiet,
                quiet))
        .isEqualTo(Handoff.NOT_HANDED_OFF);
  }

  private record Result(int rc, String out, String err) {}

  // one connection to a server that reads the request and answers with script
  private Result runAgainst(BiConsumerIO script, String... args) throws Exception {
    Path sock = Handoff.socketFor(tmp.resolve("d.sock"));
    java.nio.file.Files.deleteIfExists(sock);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Thread t =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (SocketChannel ch = server.accept()) {
                      Handoff.Request req =
                          Handoff.Request.read(new DataInputStream(Channels.newInputStream(ch)));
                      script.accept(req, new DataOutputStream(Channels.newOutputStream(ch)));
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int rc =
          HandoffClient.run(
              args,
              Map.of(
                  "SOCI_SNAPSHOTTER_ADDRESS",
                  tmp.resolve("d.sock").toString(),
                  "CONTAINERD_NAMESPACE",
                  "ns1"),
              "/client/wd",
              new PrintStream(out, true),
              new PrintStream(err, true));
      t.join();
      return new Result(
          rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }

  @FunctionalInterface
  private interface BiConsumerIO {
    void accept(Handoff.Request req, DataOutputStream out) throws IOException;
  }

  private static void frame(DataOutputStream out, byte type, String s) throws IOException {
    frame(out, type, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void frame(DataOutputStream out, byte type, byte[] b) throws IOException {
    Handoff.writeFrame(out, type, b, 0, b.length);
  }
}
