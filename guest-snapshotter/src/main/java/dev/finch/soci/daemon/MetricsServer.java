package dev.finch.soci.daemon;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Prometheus endpoint on {@code metrics_address} ({@code host:port}): {@code GET /metrics}
 * answers the concatenated text of every {@link MetricsSource}, in exposition format 0.0.4.
 */
final class MetricsServer implements AutoCloseable {
  private final HttpServer http;
  private final ExecutorService executor;

  private MetricsServer(HttpServer http, ExecutorService executor) {
    this.http = http;
    this.executor = executor;
  }

  /** Listens on {@code address}; port 0 picks a free port (see {@link #port()}). */
  static MetricsServer start(String address, List<MetricsSource> sources) throws IOException {
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw new IOException("invalid metrics_address \"" + address + "\": expected host:port");
    }
    String host = address.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IOException("invalid metrics_address \"" + address + "\": bad port", e);
    }
    HttpServer http = HttpServer.create(new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port), 16);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    http.setExecutor(executor);
    http.createContext("/metrics", exchange -> {
      try (exchange) {
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        StringBuilder body = new StringBuilder();
        for (MetricsSource s : sources) {
          s.writePrometheus(body);
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    });
    http.start();
    return new MetricsServer(http, executor);
  }

  int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }
}
