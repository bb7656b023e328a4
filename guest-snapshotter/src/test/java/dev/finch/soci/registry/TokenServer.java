package dev.finch.soci.registry;

import com.sun.net.httpserver.HttpServer;
import dev.finch.testkit.RegistryFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal Docker token server for tests: checks Basic credentials, and issues RS256 JWTs with an
 * {@code x5c} header (the self-signed certificate the registry trusts through {@code
 * rootcertbundle}) granting the requested repository actions.
 */
final class TokenServer implements AutoCloseable {
  static final String SERVICE = "test-registry";
  static final String ISSUER = "test-token-issuer";

  private final HttpServer server;
  private final PrivateKey key;
  private final String certDer;
  private final String user;
  private final String password;
  final Path certificate;
  final AtomicInteger issued = new AtomicInteger();
  final List<String> scopesAsked = new java.util.concurrent.CopyOnWriteArrayList<>();

  TokenServer(Path dir, String user, String password) throws Exception {
    this.user = user;
    this.password = password;
    certificate = dir.resolve("token-cert.pem");
    Path keyFile = dir.resolve("token-key.pem");
    RegistryFixture.selfSignedCertificate(keyFile, certificate, ISSUER);
    key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pemBody(keyFile)));
    certDer = Base64.getEncoder().encodeToString(pemBody(certificate));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/token",
        ex -> {
          try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String expected =
                "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
            if (auth != null && !auth.equals(expected)) {
              ex.sendResponseHeaders(401, -1);
              return;
            }
            List<String> scopes = new ArrayList<>();
            String query = ex.getRequestURI().getRawQuery();
            for (String kv : query == null ? new String[0] : query.split("&")) {
              if (kv.startsWith("scope=")) {
                scopes.add(URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8));
              }
            }
            scopesAsked.addAll(scopes);
            byte[] body =
                ("{\"token\":\""
                        + jwt(auth != null ? scopes : List.of())
                        + "\",\"expires_in\":300}")
                    .getBytes();
            issued.incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
          } catch (Exception e) {
            throw new IOException(e);
          }
        });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  // scope "repository:foo:pull,push" ->
  // {"type":"repository","name":"foo","actions":["pull","push"]}
  private String jwt(List<String> scopes) throws Exception {
    StringBuilder access = new StringBuilder("[");
    for (String s : scopes) {
      String[] p = s.split(":");
      if (p.length != 3) {
        continue;
      }
      if (access.length() > 1) {
        access.append(',');
      }
      access
          .append("{\"type\":\"")
          .append(p[0])
          .append("\",\"name\":\"")
          .append(p[1])
          .append("\",\"actions\":[\"")
          .append(String.join("\",\"", p[2].split(",")))
          .append("\"]}");
    }
    access.append(']');
    long now = Instant.now().getEpochSecond();
    String header = "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5c\":[\"" + certDer + "\"]}";
    String claims =
        "{\"iss\":\""
            + ISSUER
            + "\",\"sub\":\""
            + user
            + "\",\"aud\":\""
            + SERVICE
            + "\",\"exp\":"
            + (now + 300)
            + ",\"nbf\":"
            + (now - 10)
            + ",\"iat\":"
            + now
            + ",\"jti\":\""
            + UUID.randomUUID()
            + "\",\"access\":"
            + access
            + "}";
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput =
        b64.encodeToString(header.getBytes()) + "." + b64.encodeToString(claims.getBytes());
    Signature sig = Signature.getInstance("SHA256withRSA");
    sig.initSign(key);
    sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + b64.encodeToString(sig.sign());
  }

  private static byte[] pemBody(Path pem) throws IOException {
    String text = Files.readString(pem);
    String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
