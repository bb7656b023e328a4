package dev.finch.soci.handoff;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format between {@link HandoffClient} ({@code soci image rpull} started from a shell) and
 * {@link HandoffServer} (inside the running {@code soci-snapshotter-grpc}), over a unix socket next
 * to the daemon's gRPC socket. JDK only, so that the client JVM loads few classes.
 *
 * <p>Request, once: {@code int MAGIC, int VERSION}, the arguments, the environment and the working
 * directory (strings as {@code int length + UTF-8}). Replies, until {@link #EXIT} or {@link
 * #DECLINED}: frames of {@code byte type, int length, bytes}.
 */
public final class Handoff {
  /** "SOCI". */
  static final int MAGIC = 0x534f4349;

  static final int VERSION = 1;

  /** Frame: bytes for the client's stdout. */
  static final byte STDOUT = 'O';

  /** Frame: bytes for the client's stderr. */
  static final byte STDERR = 'E';

  /** Frame: the command's exit code (4 bytes); the last frame. */
  static final byte EXIT = 'X';

  /** Frame: the daemon will not run this command (UTF-8 reason); the client runs it itself. */
  static final byte DECLINED = 'D';

  /** Exit code of {@link HandoffClient} when the command was not handed off and has not started. */
  public static final int NOT_HANDED_OFF = 111;

  /** The daemon's gRPC socket, when {@code SOCI_SNAPSHOTTER_ADDRESS} is not set. */
  public static final String DEFAULT_DAEMON_ADDRESS =
      "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock";

  static final int MAX_STRING = 1 << 20;
  static final int MAX_COUNT = 1 << 16;

  private Handoff() {}

  /**
   * The handoff socket of the daemon whose gRPC socket is {@code grpcSocket}: {@code
   * soci-snapshotter-grpc.sock} gets {@code soci-snapshotter-grpc.rpull.sock} beside it.
   */
  public static Path socketFor(Path grpcSocket) {
    String name = grpcSocket.getFileName().toString();
    String base =
        name.endsWith(".sock") ? name.substring(0, name.length() - ".sock".length()) : name;
    return grpcSocket.resolveSibling(base + ".rpull.sock");
  }

  /**
   * The handoff socket the client tries: beside {@code $SOCI_SNAPSHOTTER_ADDRESS}, or the default.
   */
  static Path socketFrom(Map<String, String> env) {
    String a = env.getOrDefault("SOCI_SNAPSHOTTER_ADDRESS", "");
    if (a.startsWith("unix://")) {
      a = a.substring("unix://".length());
    }
    return socketFor(Path.of(a.isEmpty() ? DEFAULT_DAEMON_ADDRESS : a));
  }

  /** What the client asks the daemon to run. */
  record Request(List<String> args, Map<String, String> env, String cwd) {
    Request {
      args = List.copyOf(args);
      env = Map.copyOf(env);
    }

    void write(DataOutputStream out) throws IOException {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(args.size());
      for (String a : args) {
        writeString(out, a);
      }
      out.writeInt(env.size());
      for (Map.Entry<String, String> e : env.entrySet()) {
        writeString(out, e.getKey());
        writeString(out, e.getValue());
      }
      writeString(out, cwd);
      out.flush();
    }

    /** Reads a request; throws {@link IOException} for anything that is not one of this version. */
    static Request read(DataInputStream in) throws IOException {
      if (in.readInt() != MAGIC) {
        throw new IOException("not a soci handoff request");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException("handoff protocol version " + version + ", expected " + VERSION);
      }
      List<String> args = new ArrayList<>();
      for (int i = 0, n = count(in); i < n; i++) {
        args.add(readString(in));
      }
      Map<String, String> env = new LinkedHashMap<>();
      for (int i = 0, n = count(in); i < n; i++) {
        env.put(readString(in), readString(in));
      }
      return new Request(args, env, readString(in));
    }
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_STRING) {
      throw new IOException("handoff string of " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static int count(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_COUNT) {
      throw new IOException("handoff list of " + n + " entries");
    }
    return n;
  }

  static void writeFrame(DataOutputStream out, byte type, byte[] b, int off, int len)
      throws IOException {
    out.writeByte(type);
    out.writeInt(len);
    out.write(b, off, len);
    out.flush();
  }

  static void writeExit(DataOutputStream out, int code) throws IOException {
    writeFrame(
        out,
        EXIT,
        java.nio.ByteBuffer.allocate(Integer.BYTES).putInt(code).array(),
        0,
        Integer.BYTES);
  }

  /** One reply frame. */
  record Frame(byte type, byte[] body) {
    /** The next frame, or null at a clean end of stream before one starts. */
    static Frame read(DataInputStream in) throws IOException {
      int type = in.read();
      if (type < 0) {
        return null;
      }
      int n = in.readInt();
      if (n < 0 || n > MAX_STRING) {
        throw new IOException("handoff frame of " + n + " bytes");
      }
      byte[] b = new byte[n];
      in.readFully(b);
      return new Frame((byte) type, b);
    }

    int exitCode() {
      return java.nio.ByteBuffer.wrap(body).getInt();
    }
  }
}
