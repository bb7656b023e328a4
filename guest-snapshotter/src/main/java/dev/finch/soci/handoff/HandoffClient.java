package dev.finch.soci.handoff;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The fast start of {@code soci image rpull}: instead of starting the whole CLI (picocli, gRPC,
 * netty, an HTTP client: about half a second of JVM work before the first request), hand the
 * command to the running snapshotter daemon, whose JVM is warm, and relay its output and exit code.
 * The launcher runs this class first for {@code rpull} and runs the CLI itself when it exits with
 * {@link Handoff#NOT_HANDED_OFF}: no daemon socket, {@code SOCI_RPULL_HANDOFF=0}, or the daemon
 * declined (another user, another protocol version, not an rpull). Nothing has run then.
 */
public final class HandoffClient {
  private HandoffClient() {}

  public static void main(String[] args) {
    int rc =
        run(args, System.getenv(), Path.of("").toAbsolutePath().toString(), System.out, System.err);
    System.out.flush();
    System.err.flush();
    System.exit(rc);
  }

  /** Hands {@code args} off; the command's exit code, or {@link Handoff#NOT_HANDED_OFF}. */
  public static int run(
      String[] args, Map<String, String> env, String cwd, PrintStream out, PrintStream err) {
    boolean debug = Arrays.asList(args).contains("--debug");
    if ("0".equals(env.get("SOCI_RPULL_HANDOFF"))) {
      return Handoff.NOT_HANDED_OFF;
    }
    Path socket = Handoff.socketFrom(env);
    boolean started = false;
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      DataOutputStream req =
          new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
      new Handoff.Request(Arrays.asList(args), env, cwd).write(req);
      DataInputStream in =
          new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
      for (Handoff.Frame f; (f = Handoff.Frame.read(in)) != null; ) {
        switch (f.type()) {
          case Handoff.STDOUT, Handoff.STDERR -> {
            PrintStream to = f.type() == Handoff.STDOUT ? out : err;
            to.write(f.body());
            to.flush();
            started = true;
          }
          case Handoff.EXIT -> {
            return f.exitCode();
          }
          case Handoff.DECLINED -> {
            if (debug) {
              err.println(
                  "soci: the snapshotter daemon declined the rpull ("
                      + new String(f.body(), java.nio.charset.StandardCharsets.UTF_8)
                      + "); running it here");
            }
            return Handoff.NOT_HANDED_OFF;
          }
          default -> throw new IOException("unknown handoff frame type " + f.type());
        }
      }
      throw new java.io.EOFException("connection closed");
    } catch (IOException e) {
      if (!started) {
        if (debug) {
          err.println(
              "soci: no rpull handoff through "
                  + socket
                  + " ("
                  + e.getMessage()
                  + "); running it here");
        }
        return Handoff.NOT_HANDED_OFF;
      }
      err.println(
          "soci: the snapshotter daemon ended the rpull before it finished ("
              + e.getMessage()
              + "); see the daemon's log, or run again with SOCI_RPULL_HANDOFF=0 to pull in this process");
      return 1;
    }
  }
}
