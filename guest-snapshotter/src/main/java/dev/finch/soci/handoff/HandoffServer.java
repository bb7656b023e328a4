package dev.finch.soci.handoff;

import dev.finch.soci.cli.Invocation;
import dev.finch.soci.cli.main.SociCli;
import dev.finch.soci.daemon.DaemonExtension;
import dev.finch.soci.daemon.JsonLog;
import dev.finch.soci.daemon.LogLevel;
import dev.finch.soci.snapshot.RemotePreparer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs {@code soci image rpull} command lines handed off by {@link HandoffClient} inside the
 * daemon, on {@link Handoff#socketFor its socket} beside the gRPC one. The socket is mode 0600 and
 * a client is served only when its peer credentials (SO_PEERCRED) name the daemon's own user, so
 * nothing can be done through it that the client could not do itself; anyone else, and anything but
 * an rpull, is declined and runs in its own process. Each connection gets a virtual thread; a
 * client that goes away (Ctrl-C) interrupts its pull.
 */
public final class HandoffServer implements DaemonExtension {
  @Override
  public AutoCloseable start(Path grpcSocket, JsonLog log, RemotePreparer preparer)
      throws IOException {
    Path socket = Handoff.socketFor(grpcSocket.toAbsolutePath());
    if (Files.exists(socket) && answers(socket)) {
      log.warn("another process serves rpull handoff on " + socket + "; not serving it here", null);
      return () -> {};
    }
    Files.deleteIfExists(socket);
    Path tmp =
        socket.resolveSibling(socket.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    Files.deleteIfExists(tmp);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(tmp));
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      Files.move(tmp, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      server.close();
      Files.deleteIfExists(tmp);
      throw e;
    }
    Running r = new Running(server, socket, log, preparer);
    Thread.ofPlatform().daemon().name("soci-rpull-handoff").start(r::acceptLoop);
    // parse one rpull command line now, so the first client's is not the JVM's first, and build the
    // tree that client will use
    Thread.ofVirtual()
        .start(
            () -> {
              PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
              SociCli.runIf(
                  sink,
                  sink,
                  new Invocation(Map.of(), Path.of("/"), true),
                  pr -> "warm-up",
                  "--address",
                  "/run/containerd/containerd.sock",
                  "image",
                  "rpull",
                  "--plain-http",
                  "127.0.0.1:1/warm/up:latest");
              r.spare.compareAndSet(null, SociCli.newTree());
            });
    log.debug("rpull handoff on " + socket);
    return r;
  }

  private static boolean answers(Path socket) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static final class Running implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path socket;
    private final JsonLog log;
    private final RemotePreparer preparer;
    private final String user = System.getProperty("user.name");
    private final Set<Thread> pulls = ConcurrentHashMap.newKeySet();
    // the next request's command tree, built while idle
    private final java.util.concurrent.atomic.AtomicReference<picocli.CommandLine> spare =
        new java.util.concurrent.atomic.AtomicReference<>();
    private volatile boolean closed;

    Running(ServerSocketChannel server, Path socket, JsonLog log, RemotePreparer preparer) {
      this.server = server;
      this.socket = socket;
      this.log = log;
      this.preparer = preparer;
    }

    void acceptLoop() {
      while (!closed) {
        SocketChannel ch;
        try {
          ch = server.accept();
        } catch (ClosedChannelException e) {
          return;
        } catch (IOException e) {
          if (!closed) {
            log.warn("rpull handoff: accept failed", e);
          }
          return;
        }
        Thread.ofVirtual().name("soci-rpull-handoff-conn").start(() -> serve(ch));
      }
    }

    private picocli.CommandLine tree() {
      picocli.CommandLine t = spare.getAndSet(null);
      Thread.ofVirtual().start(() -> spare.compareAndSet(null, SociCli.newTree()));
      return t != null ? t : SociCli.newTree();
    }

    private void serve(SocketChannel ch) {
      try (ch) {
        DataOutputStream out =
            new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
        String peer = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
        InputStream raw = Channels.newInputStream(ch);
        Handoff.Request req =
            Handoff.Request.read(new DataInputStream(new BufferedInputStream(raw)));
        if (!peer.equals(user)) {
          decline(out, "the daemon runs as " + user + ", the client as " + peer);
          return;
        }
        Invocation inv = new Invocation(req.env(), Path.of(req.cwd()), true, preparer::expect);
        run(raw, out, inv, req.args().toArray(String[]::new));
      } catch (IOException | RuntimeException e) {
        log.debug("rpull handoff: " + e);
      }
    }

    // runs the command line and answers; the caller closes the channel, which ends the watcher
    private void run(InputStream raw, DataOutputStream out, Invocation inv, String[] args)
        throws IOException {
      Thread self = Thread.currentThread();
      java.util.concurrent.atomic.AtomicBoolean answering =
          new java.util.concurrent.atomic.AtomicBoolean();
      pulls.add(self);
      // the client sends nothing after its request: end of stream before the answer means it went
      // away (Ctrl-C)
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  while (raw.read() >= 0) {
                    // ignore
                  }
                } catch (IOException e) {
                  // closed by us after the answer, or reset by the client
                }
                if (!answering.get()) {
                  self.interrupt();
                }
              });
      long start = System.nanoTime();
      String[] refusal = {"not a valid command line"};
      Integer rc;
      try (PrintWriter o = writer(out, Handoff.STDOUT, false);
          PrintWriter e = writer(out, Handoff.STDERR, true)) {
        rc = SociCli.runIf(tree(), o, e, inv, pr -> refusal[0] = SociCli.handoffRefusal(pr), args);
      } finally {
        answering.set(true);
        pulls.remove(self);
      }
      Thread.interrupted(); // an interrupt from the watcher must not fail the reply
      if (rc == null) {
        decline(out, refusal[0]);
        return;
      }
      log.write(
          LogLevel.INFO,
          "rpull handed off by a client finished",
          "rpull-handoff",
          Map.of("exit_code", rc, "duration_ms", (System.nanoTime() - start) / 1_000_000));
      try {
        synchronized (out) {
          Handoff.writeExit(out, rc);
        }
      } catch (IOException e) {
        log.debug("rpull handoff: the client went away before the exit code (" + e + ")");
      }
    }

    private static void decline(DataOutputStream out, String why) throws IOException {
      byte[] b = why.getBytes(StandardCharsets.UTF_8);
      Handoff.writeFrame(out, Handoff.DECLINED, b, 0, b.length);
    }

    /** Writes each flush as one frame of {@code type}. */
    private static PrintWriter writer(DataOutputStream out, byte type, boolean autoFlush) {
      OutputStream frames =
          new OutputStream() {
            @Override
            public void write(int b) throws IOException {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              if (len == 0) {
                return;
              }
              synchronized (out) {
                Handoff.writeFrame(out, type, b, off, len);
              }
            }

            @Override
            public void close() {
              // the channel is closed by the connection, after the exit frame
            }
          };
      return new PrintWriter(
          new OutputStreamWriter(new BufferedOutputStream(frames, 8192), StandardCharsets.UTF_8),
          autoFlush);
    }

    @Override
    public void close() throws IOException {
      closed = true;
      server.close();
      pulls.forEach(Thread::interrupt);
      Files.deleteIfExists(socket);
    }
  }
}
