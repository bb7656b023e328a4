package dev.finch.soci.daemon;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Prometheus endpoint: {@code GET /metrics} answers what the daemon's registry collects (its
 * own metrics and the plug-in's), written by the client library in text exposition format 0.0.4, on
 * {@code metrics_address} over {@code metrics_network} ({@code tcp}: {@code host:port}; {@code
 * unix}: a socket path, as the reference allows).
 *
 * <p>One small HTTP/1.1 responder serves both networks (the JDK's {@code HttpServer} binds only
 * TCP): one request per connection ({@code Connection: close}, which every Prometheus scraper
 * handles), headers limited to {@value #MAX_HEADER_BYTES} bytes and {@value #READ_TIMEOUT_SEC} s,
 * each connection on a virtual thread.
 */
final class MetricsServer implements AutoCloseable {
  static final int MAX_HEADER_BYTES = 8192;
  static final int READ_TIMEOUT_SEC = 10;

  private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();

  private final ServerSocketChannel channel;
  private final PrometheusRegistry registry;
  private final Path unixPath;
  private final ScheduledExecutorService timeouts =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("metrics-timeout").factory());
  private final Thread acceptor;

  private MetricsServer(ServerSocketChannel channel, PrometheusRegistry registry, Path unixPath) {
    this.channel = channel;
    this.registry = registry;
    this.unixPath = unixPath;
    this.acceptor = Thread.ofVirtual().name("metrics-accept").start(this::acceptLoop);
  }

  /**
   * Listens on {@code address}: for {@code tcp} a {@code host:port} (port 0 picks a free one, see
   * {@link #port()}; an empty host means every interface), for {@code unix} a path (a stale socket
   * file there is replaced).
   */
  static MetricsServer start(DaemonConfig.Metrics config, PrometheusRegistry registry)
      throws IOException {
    String address = config.address();
    if (config.unix()) {
      Path path = Path.of(address);
      if (!path.isAbsolute()) {
        throw new IOException(
            "invalid metrics_address \""
                + address
                + "\": metrics_network = \"unix\" needs an absolute socket path");
      }
      Files.createDirectories(path.getParent());
      Files.deleteIfExists(path);
      ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      ch.bind(UnixDomainSocketAddress.of(path), 16);
      return new MetricsServer(ch, registry, path);
    }
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw new IOException(
          "invalid metrics_address \""
              + address
              + "\": expected host:port (or set metrics_network = \"unix\" for a socket path)");
    }
    String host = address.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IOException("invalid metrics_address \"" + address + "\": bad port", e);
    }
    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET);
    SocketAddress bind = new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port);
    try {
      ch.bind(bind, 16);
    } catch (IOException e) {
      ch.close();
      throw new IOException(
          "cannot listen on metrics_address \"" + address + "\": " + e.getMessage(), e);
    }
    return new MetricsServer(ch, registry, null);
  }

  /** The bound TCP port; -1 on a unix socket. */
  int port() {
    try {
      return channel.getLocalAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  private void acceptLoop() {
    while (channel.isOpen()) {
      try {
        SocketChannel c = channel.accept();
        Thread.ofVirtual().name("metrics-conn").start(() -> serve(c));
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!channel.isOpen()) {
          return;
        }
      }
    }
  }

  private void serve(SocketChannel c) {
    var timeout = timeouts.schedule(() -> closeQuietly(c), READ_TIMEOUT_SEC, TimeUnit.SECONDS);
    try (c) {
      String requestLine = readHead(c);
      if (requestLine == null) {
        respond(c, 400, "Bad Request", "text/plain; charset=utf-8", "bad request\n", true);
        return;
      }
      String[] parts = requestLine.split(" ");
      if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
        respond(c, 400, "Bad Request", "text/plain; charset=utf-8", "bad request\n", true);
        return;
      }
      boolean head = parts[0].equals("HEAD");
      if (!head && !parts[0].equals("GET")) {
        respond(
            c, 405, "Method Not Allowed", "text/plain; charset=utf-8", "only GET and HEAD\n", true);
        return;
      }
      String path = parts[1];
      int q = path.indexOf('?');
      if (!(q < 0 ? path : path.substring(0, q)).equals("/metrics")) {
        respond(
            c,
            404,
            "Not Found",
            "text/plain; charset=utf-8",
            "not found; metrics are at /metrics\n",
            !head);
        return;
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      // our names are all legacy ones, so no escaping scheme changes them
      TEXT.write(body, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
      respond(c, 200, "OK", TEXT.getContentType(), body.toByteArray(), !head);
    } catch (IOException | RuntimeException e) {
      // The scraper went away or sent garbage; nothing to do for one connection.
    } finally {
      timeout.cancel(false);
    }
  }

  /**
   * Reads up to the blank line ending the headers; returns the request line, or null if malformed
   * or too long.
   */
  private static String readHead(SocketChannel c) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(MAX_HEADER_BYTES);
    while (buf.hasRemaining()) {
      if (c.read(buf) < 0) {
        return null;
      }
      String text = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
      if (text.contains("\r\n\r\n") || text.contains("\n\n")) {
        int eol = text.indexOf('\n');
        return text.substring(0, eol).strip();
      }
    }
    return null;
  }

  private static void respond(
      SocketChannel c, int status, String reason, String type, String body, boolean withBody)
      throws IOException {
    respond(c, status, reason, type, body.getBytes(StandardCharsets.UTF_8), withBody);
  }

  private static void respond(
      SocketChannel c, int status, String reason, String type, byte[] bytes, boolean withBody)
      throws IOException {
    String head =
        String.format(
            Locale.ROOT,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
            status,
            reason,
            type,
            bytes.length);
    ByteBuffer out = ByteBuffer.allocate(head.length() + (withBody ? bytes.length : 0));
    out.put(head.getBytes(StandardCharsets.ISO_8859_1));
    if (withBody) {
      out.put(bytes);
    }
    out.flip();
    while (out.hasRemaining()) {
      c.write(out);
    }
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing anyway
    }
    acceptor.interrupt();
    timeouts.shutdownNow();
    if (unixPath != null) {
      try {
        Files.deleteIfExists(unixPath);
      } catch (IOException e) {
        // a stale socket file is replaced on the next start
      }
    }
  }
}
