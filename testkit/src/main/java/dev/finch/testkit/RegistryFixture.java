package dev.finch.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real CNCF distribution registry (Debian's {@code /usr/bin/docker-registry}, 2.8) on {@code
 * 127.0.0.1:<free port>}, with filesystem storage, deletes enabled and access logs on, in its own
 * temp dir. Optionally with htpasswd Basic auth, Bearer token auth, or TLS (self-signed cert for
 * 127.0.0.1).
 *
 * <p>Use it as an extension, {@code @RegisterExtension static final RegistryFixture REGISTRY =
 * RegistryFixture.builder().build();}, or as an AutoCloseable: {@code
 * RegistryFixture.builder().start()}. It stops exactly the PID it started, even when tests fail.
 */
public final class RegistryFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  /** The registry binary from the Debian {@code docker-registry} package. */
  public static final Path BINARY = Path.of("/usr/bin/docker-registry");

  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Pattern COMPLETED = Pattern.compile("msg=\"response completed\"");
  private static final Pattern METHOD = Pattern.compile("http\\.request\\.method=(\\w+)");
  private static final Pattern URI_FIELD = Pattern.compile("http\\.request\\.uri=\"([^\"]*)\"");
  private static final Pattern WRITTEN = Pattern.compile("http\\.response\\.written=(\\d+)");

  private final Builder options;
  private Path dir;
  private int port;
  private Path certificate;
  private ManagedProcess process;

  private RegistryFixture(Builder options) {
    this.options = options;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the registry and waits until {@code GET /v2/} answers. */
  public synchronized RegistryFixture start() throws IOException {
    if (process != null) {
      return this;
    }
    dir =
        options.dir != null
            ? Files.createDirectories(options.dir)
            : Files.createTempDirectory("registry-fixture-");
    port = options.port > 0 ? options.port : freePort();
    StringBuilder yaml =
        new StringBuilder()
            .append("version: 0.1\n")
            .append("log:\n  level: info\n  accesslog:\n    disabled: false\n")
            .append("storage:\n  filesystem:\n    rootdirectory: ")
            .append(storage())
            .append('\n')
            .append("  delete:\n    enabled: true\n")
            .append("http:\n  addr: 127.0.0.1:")
            .append(port)
            .append('\n')
            .append("  secret: fixture-secret\n");
    if (options.tls) {
      certificate = dir.resolve("cert.pem");
      Path key = dir.resolve("key.pem");
      selfSignedCertificate(
          key, certificate, "127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1");
      yaml.append("  tls:\n    certificate: ")
          .append(certificate)
          .append("\n    key: ")
          .append(key)
          .append('\n');
    }
    if (options.user != null) {
      Path htpasswd = dir.resolve("htpasswd");
      Files.writeString(
          htpasswd,
          ManagedProcess.run(
              List.of("htpasswd", "-Bbn", options.user, options.password), Duration.ofSeconds(30)));
      yaml.append("auth:\n  htpasswd:\n    realm: fixture-realm\n    path: ")
          .append(htpasswd)
          .append('\n');
    } else if (options.tokenRealm != null) {
      yaml.append("auth:\n  token:\n")
          .append("    realm: ")
          .append(options.tokenRealm)
          .append('\n')
          .append("    service: ")
          .append(options.tokenService)
          .append('\n')
          .append("    issuer: ")
          .append(options.tokenIssuer)
          .append('\n')
          .append("    rootcertbundle: ")
          .append(options.tokenRootCerts)
          .append('\n');
    }
    Path config = dir.resolve("config.yml");
    Files.writeString(config, yaml.toString());
    process =
        ManagedProcess.start(
            "docker-registry",
            List.of(BINARY.toString(), "serve", config.toString()),
            Map.of(),
            dir,
            dir.resolve("registry.log"));
    try {
      awaitReady();
    } catch (IOException | RuntimeException e) {
      String tail = process.logTail(30);
      close();
      throw new IOException("registry did not start: " + e.getMessage() + "\n" + tail, e);
    }
    return this;
  }

  private void awaitReady() throws IOException {
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(trustAll())
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    IOException last = null;
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("registry exited");
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url() + "/v2/"))
                    .timeout(Duration.ofSeconds(2))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || r.statusCode() == 401) {
          return;
        }
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw new IOException("GET /v2/ did not answer within " + START_TIMEOUT, last);
  }

  /** {@code http://127.0.0.1:<port>} (https with TLS). */
  public String url() {
    return (options.tls ? "https" : "http") + "://" + hostPort();
  }

  /** {@code 127.0.0.1:<port>}, the registry part of image references. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * The filesystem storage the registry serves: its own, or the one of {@link
   * Builder#sameStorageAs}.
   */
  public Path storage() {
    return options.sameStorage != null ? options.sameStorage.storage() : dir.resolve("storage");
  }

  /** The registry's combined application and access log. */
  public Path logFile() {
    return process.logFile();
  }

  public long pid() {
    return process.pid();
  }

  /** The self-signed certificate (PEM) when started with TLS. */
  public Path certificate() {
    return certificate;
  }

  public String username() {
    return options.user;
  }

  public String password() {
    return options.password;
  }

  /**
   * Bytes the registry wrote in answer to blob GETs so far, from its "response completed" log lines
   * ({@code http.response.written}); multipart framing counts too.
   */
  public long blobBytesServed() {
    return blobBytesServed(null);
  }

  /**
   * As {@link #blobBytesServed()}, only for URIs containing {@code filter} (e.g. a digest); null
   * for all.
   */
  public long blobBytesServed(String filter) {
    List<String> lines;
    try {
      lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long sum = 0;
    for (String line : lines) {
      if (!COMPLETED.matcher(line).find()) {
        continue;
      }
      Matcher method = METHOD.matcher(line);
      Matcher uri = URI_FIELD.matcher(line);
      Matcher written = WRITTEN.matcher(line);
      if (method.find()
          && method.group(1).equals("GET")
          && uri.find()
          && uri.group(1).contains("/blobs/sha256:")
          && (filter == null || uri.group(1).contains(filter))
          && written.find()) {
        sum += Long.parseLong(written.group(1));
      }
    }
    return sum;
  }

  /** Lines in the registry's log so far: a mark for {@link #requestsSince}. */
  public int logMark() {
    try {
      return Files.readAllLines(logFile(), StandardCharsets.UTF_8).size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Requests the registry answered ("response completed" log lines) after log line {@code mark}
   * (see {@link #logMark}) whose URI contains {@code filter}, any method: e.g. how often a client
   * asked for one manifest, referrers list or blob.
   */
  public long requestsSince(int mark, String filter) {
    List<String> lines;
    try {
      lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long n = 0;
    for (String line : lines.subList(Math.min(mark, lines.size()), lines.size())) {
      Matcher uri = URI_FIELD.matcher(line);
      if (COMPLETED.matcher(line).find() && uri.find() && uri.group(1).contains(filter)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /**
   * Stops the registry (TERM, then KILL) and deletes its directory unless it was given by the
   * caller.
   */
  @Override
  public synchronized void close() {
    if (process != null) {
      process.stop(Duration.ofSeconds(5));
      process = null;
    }
    if (dir != null && options.dir == null && !Boolean.getBoolean("testkit.keep")) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // Best effort: a leftover temp dir is harmless.
      }
    }
  }

  /**
   * Writes a new RSA key (PEM, unencrypted) to {@code key} and a certificate for it, self-signed
   * with subject {@code CN=<commonName>} and valid for two days, to {@code certificate}, with
   * {@code openssl req}; {@code extraArgs} go to that command as well (e.g. {@code -addext}).
   */
  public static void selfSignedCertificate(
      Path key, Path certificate, String commonName, String... extraArgs) throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-keyout",
                key.toString(),
                "-out",
                certificate.toString(),
                "-subj",
                "/CN=" + commonName));
    argv.addAll(List.of(extraArgs));
    ManagedProcess.run(argv, Duration.ofSeconds(60));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static SSLContext trustAll() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              @Override
              public void checkClientTrusted(X509Certificate[] c, String a) {}

              @Override
              public void checkServerTrusted(X509Certificate[] c, String a) {}

              @Override
              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          new SecureRandom());
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Options; build with {@link #build()} (for {@code @RegisterExtension}) or {@link #start()}. */
  public static final class Builder {
    private Path dir;
    private int port;
    private boolean tls;
    private String user;
    private String password;
    private String tokenRealm;
    private String tokenService;
    private String tokenIssuer;
    private Path tokenRootCerts;
    private RegistryFixture sameStorage;

    private Builder() {}

    /** Use this directory (kept after close) instead of a fresh temp dir. */
    public Builder dir(Path d) {
      this.dir = d;
      return this;
    }

    /** Listen on this port instead of a free one. */
    public Builder port(int p) {
      this.port = p;
      return this;
    }

    /**
     * Serve https with a self-signed certificate for 127.0.0.1 (see {@link
     * RegistryFixture#certificate()}).
     */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /**
     * Serve the storage of the started registry {@code other} (a second port on the same blobs,
     * e.g. a TLS one next to a plain-http one); it is not deleted on close.
     */
    public Builder sameStorageAs(RegistryFixture other) {
      this.sameStorage = other;
      return this;
    }

    /** Require HTTP Basic auth with one htpasswd (bcrypt) user. */
    public Builder basicAuth(String user, String password) {
      this.user = user;
      this.password = password;
      return this;
    }

    /**
     * Require Bearer tokens from {@code realm}, signed by a key whose certificate chain roots in
     * the PEM bundle {@code rootCerts}.
     */
    public Builder tokenAuth(String realm, String service, String issuer, Path rootCerts) {
      this.tokenRealm = realm;
      this.tokenService = service;
      this.tokenIssuer = issuer;
      this.tokenRootCerts = rootCerts;
      return this;
    }

    public RegistryFixture build() {
      return new RegistryFixture(this);
    }

    /** Builds and starts. */
    public RegistryFixture start() throws IOException {
      return build().start();
    }
  }
}
