package dev.finch.soci.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A tiny in-test HTTP server on loopback, in this JVM (no root, no registry binary): for answers a
 * real registry never gives (bad ranges, 503s, redirects), and for registries a test describes in a
 * handler (e.g. one with the referrers API, which distribution 2.8 lacks).
 */
public final class FakeServer implements AutoCloseable {
  /** One request as seen by the server. */
  public record Seen(String method, String uri, String authorization, String range) {}

  private final HttpServer server;
  public final List<Seen> requests = new CopyOnWriteArrayList<>();

  public FakeServer(HttpHandler handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.add(
              new Seen(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().toString(),
                  exchange.getRequestHeaders().getFirst("Authorization"),
                  exchange.getRequestHeaders().getFirst("Range")));
          try (exchange) {
            exchange.getRequestBody().readAllBytes();
            handler.handle(exchange);
          }
        });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
