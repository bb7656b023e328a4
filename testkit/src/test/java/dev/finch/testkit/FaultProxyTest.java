package dev.finch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.finch.testkit.FaultProxy.Fault;
import dev.finch.testkit.HttpWire.Head;
import dev.finch.testkit.image.OciImage;
import dev.finch.testkit.image.OciLayoutWriter;
import dev.finch.testkit.image.TarLayer;
import dev.finch.testkit.image.TestImages;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Each fault of {@link FaultProxy} as a client sees it, against the real registry. */
class FaultProxyTest {
  @RegisterExtension static final RegistryFixture REGISTRY = RegistryFixture.builder().build();

  private static final String REPO = "proxy/test";
  private static final String BLOBS = "/v2/.+/blobs/sha256:.+";
  private static final byte[] BLOB = randomBytes(1 << 20, 12);
  private static String blobPath;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private FaultProxy proxy;

  @BeforeAll
  static void pushBlob() throws Exception {
    blobPath = upload(HttpClient.newHttpClient(), REGISTRY.url(), BLOB, false);
  }

  @BeforeEach
  void startProxy() throws IOException {
    proxy = FaultProxy.inFrontOf(REGISTRY);
  }

  @AfterEach
  void closeProxy() {
    proxy.close();
  }

  @Test
  void withoutRulesAnswersAreByteIdenticalOverOneKeepAliveConnection() throws Exception {
    List<HttpRequest.Builder> requests = new ArrayList<>();
    for (String base : List.of(REGISTRY.url(), proxy.url())) {
      requests.add(get(base, "/v2/"));
      requests.add(get(base, blobPath));
      requests.add(get(base, blobPath).HEAD());
      requests.add(get(base, blobPath).header("Range", "bytes=1000-1999"));
      requests.add(get(base, "/v2/" + REPO + "/manifests/missing"));
    }
    int n = requests.size() / 2;
    for (int i = 0; i < n; i++) {
      HttpResponse<byte[]> direct = send(requests.get(i));
      HttpResponse<byte[]> proxied = send(requests.get(n + i));
      assertThat(proxied.statusCode()).isEqualTo(direct.statusCode());
      assertThat(proxied.body()).isEqualTo(direct.body());
      for (String name :
          List.of("Content-Length", "Content-Range", "Content-Type", "Docker-Content-Digest")) {
        assertThat(proxied.headers().allValues(name))
            .as(name)
            .isEqualTo(direct.headers().allValues(name));
      }
    }
    assertThat(send(requests.get(n + 1)).body()).isEqualTo(BLOB);
    assertThat(proxy.connections()).isEqualTo(1);
    assertThat(proxy.requests()).isEqualTo(n + 1);
    assertThat(proxy.requests(BLOBS)).isEqualTo(4);
    assertThat(proxy.faulted()).isZero();
  }

  @Test
  void aDefaultClientsH2cUpgradeIsAnsweredInHttp11() throws Exception {
    HttpResponse<byte[]> r =
        HttpClient.newHttpClient()
            .send(get(proxy.url(), blobPath).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(r.body()).isEqualTo(BLOB);
  }

  @Test
  void uploadsWithLengthAndChunkedBodiesGoThrough() throws Exception {
    byte[] one = randomBytes(300_000, 1);
    byte[] two = randomBytes(500_000, 2);
    String onePath = upload(http, proxy.url(), one, false);
    String twoPath = upload(http, proxy.url(), two, true);
    assertThat(send(get(REGISTRY.url(), onePath)).body()).isEqualTo(one);
    assertThat(send(get(REGISTRY.url(), twoPath)).body()).isEqualTo(two);
    assertThat(proxy.requests("/v2/.+/blobs/uploads/.*")).isEqualTo(5);
  }

  @Test
  void aGoClientPushesAndPullsThroughTheProxy(@TempDir Path tmp) throws Exception {
    OciImage image =
        new OciLayoutWriter(tmp.resolve("out"))
            .image("go", "v1")
            .layer(
                TarLayer.builder().dir("d").randomFile("d/r.bin", 3 << 20, 9).build(),
                OciLayoutWriter.Compression.GZIP)
            .write();
    // skopeo speaks to registries with Go's net/http, as containerd and ctr do
    TestImages.push(image, proxy.hostPort(), "proxy/go", "v1");
    ContainerdProcess.run(
            List.of(
                "skopeo",
                "copy",
                "--preserve-digests",
                "--src-tls-verify=false",
                "docker://" + proxy.hostPort() + "/proxy/go:v1",
                "oci:" + tmp.resolve("back") + ":v1"),
            Duration.ofMinutes(1))
        .check();
    String layer = image.single().layers().getFirst().blob().hex();
    assertThat(tmp.resolve("back/blobs/sha256/" + layer))
        .hasSameBinaryContentAs(tmp.resolve("out/blobs/sha256/" + layer));
    assertThat(proxy.requests("/v2/proxy/go/blobs/uploads/.*")).isPositive();
    assertThat(proxy.requests("/v2/proxy/go/manifests/v1")).isPositive();
    // (skopeo sends Connection: close on every request, so there is no keep-alive to check here)
    assertThat(proxy.exchanges()).allSatisfy(e -> assertThat(e.status()).isBetween(200, 404));
  }

  @Test
  void chunkedAnswersAreRelayedAndFaultedOnTheirDecodedBytes() throws Exception {
    byte[] data = randomBytes(200_000, 3);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, 0); // 0: chunked
          try (OutputStream out = exchange.getResponseBody()) {
            for (int off = 0; off < data.length; off += 7_000) {
              out.write(data, off, Math.min(7_000, data.length - off));
              out.flush();
            }
          }
        });
    server.start();
    try (FaultProxy local = FaultProxy.start("127.0.0.1:" + server.getAddress().getPort())) {
      HttpResponse<byte[]> plain = send(get(local.url(), "/data"));
      assertThat(plain.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
      assertThat(plain.body()).isEqualTo(data);

      local.on("/data").times(1).fault(Fault.flipEvery(10, 50_000));
      assertThat(differences(data, send(get(local.url(), "/data")).body()))
          .containsExactly(10L, 50_010L, 100_010L, 150_010L);

      local.on("/data").times(1).fault(Fault.truncate(20_000));
      assertThatThrownBy(() -> send(get(local.url(), "/data"))).isInstanceOf(IOException.class);
      assertThat(local.bodyBytes("/data")).isEqualTo(2L * data.length + 20_000);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void dropClosesAfterTheGivenBodyBytes() throws Exception {
    FaultProxy.Rule rule = proxy.on("GET", BLOBS).times(2).fault(Fault.drop(1000));
    Raw raw = raw(proxy, "GET", blobPath);
    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.head().get("Content-Length")).isEqualTo(Integer.toString(BLOB.length));
    assertThat(raw.body()).isEqualTo(Arrays.copyOf(BLOB, 1000));
    assertThatThrownBy(() -> send(get(proxy.url(), blobPath))).isInstanceOf(IOException.class);
    assertThat(rule.fired()).isEqualTo(2);
    assertThat(rule.isActive()).isFalse();
    assertThat(send(get(proxy.url(), blobPath)).body()).isEqualTo(BLOB);

    // Until removed: the JDK client retries a GET once when a reused connection closes unanswered.
    FaultProxy.Rule unanswered = proxy.on(BLOBS).fault(Fault.drop(Fault.BEFORE_HEADERS));
    assertThatThrownBy(() -> send(get(proxy.url(), blobPath))).isInstanceOf(IOException.class);
    assertThat(unanswered.fired()).isPositive();
    assertThat(proxy.faulted()).isEqualTo(2 + unanswered.fired());
    assertThat(proxy.exchanges().getLast().status()).isZero();
  }

  @Test
  void truncateKeepsTheContentLengthAndSendsAPrefix() throws Exception {
    proxy.on(BLOBS).times(2).fault(Fault.truncate(4096));
    Raw raw = raw(proxy, "GET", blobPath);
    assertThat(raw.head().get("Content-Length")).isEqualTo(Integer.toString(BLOB.length));
    assertThat(raw.body()).isEqualTo(Arrays.copyOf(BLOB, 4096));
    assertThat(raw.error()).isNull(); // a clean FIN, not a reset
    assertThatThrownBy(() -> send(get(proxy.url(), blobPath))).isInstanceOf(IOException.class);
  }

  @Test
  void resetSendsARst() throws Exception {
    proxy.on(BLOBS).times(2).fault(Fault.reset(2000));
    Raw raw = raw(proxy, "GET", blobPath);
    assertThat(raw.error()).isNotNull();
    assertThat(raw.error().getMessage()).containsIgnoringCase("reset");
    assertThat(raw.body().length).isLessThanOrEqualTo(2000);
    assertThatThrownBy(() -> send(get(proxy.url(), blobPath))).isInstanceOf(IOException.class);
    assertThat(proxy.faulted()).isEqualTo(2);
  }

  @Test
  void flipXorsTheChosenBodyBytes() throws Exception {
    proxy.on(BLOBS).times(1).fault(Fault.flipEvery(5, 300_000));
    byte[] got = send(get(proxy.url(), blobPath)).body();
    assertThat(got).hasSameSizeAs(BLOB);
    assertThat(differences(BLOB, got)).containsExactly(5L, 300_005L, 600_005L, 900_005L);
    assertThat(got[5]).isEqualTo((byte) (BLOB[5] ^ 0xff));

    // Offsets count from the start of the body, here a range of the blob.
    proxy.on(BLOBS).times(1).fault(Fault.flip(10));
    byte[] range = send(get(proxy.url(), blobPath).header("Range", "bytes=1000-1999")).body();
    assertThat(differences(Arrays.copyOfRange(BLOB, 1000, 2000), range)).containsExactly(10L);

    // Past the end of the body nothing is flipped, and the request does not count as faulted.
    FaultProxy.Rule beyond = proxy.on(BLOBS).times(1).fault(Fault.flip(5000));
    assertThat(send(get(proxy.url(), blobPath).header("Range", "bytes=0-99")).body())
        .isEqualTo(Arrays.copyOf(BLOB, 100));
    assertThat(beyond.hits()).isEqualTo(1);
    assertThat(beyond.fired()).isZero();
    assertThat(proxy.faulted()).isEqualTo(2);
  }

  @Test
  void statusAnswersCarryRetryAfterAndKeepTheConnection() throws Exception {
    proxy.on("GET", BLOBS).times(1).fault(Fault.status(429, 5));
    HttpResponse<byte[]> limited = send(get(proxy.url(), blobPath));
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(new String(limited.body(), StandardCharsets.UTF_8)).contains("TOOMANYREQUESTS");

    proxy
        .on("POST", "/v2/.+/blobs/uploads/")
        .times(1)
        .fault(Fault.statusRetryAt(503, Duration.ofSeconds(3)));
    Instant before = Instant.now();
    HttpResponse<byte[]> unavailable =
        send(
            get(proxy.url(), "/v2/" + REPO + "/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.ofByteArray(randomBytes(100_000, 4))));
    assertThat(unavailable.statusCode()).isEqualTo(503);
    Instant at =
        ZonedDateTime.parse(
                unavailable.headers().firstValue("Retry-After").orElseThrow(),
                DateTimeFormatter.RFC_1123_DATE_TIME)
            .toInstant();
    assertThat(at).isBetween(before.plusSeconds(2), before.plusSeconds(5));

    // The request body was read, so the same connection carries the next exchange.
    assertThat(send(get(proxy.url(), blobPath)).body()).isEqualTo(BLOB);
    assertThat(send(get(proxy.url(), blobPath).HEAD()).statusCode()).isEqualTo(200);
    assertThat(proxy.connections()).isEqualTo(1);
    assertThat(proxy.faulted()).isEqualTo(2);
  }

  @Test
  void slowHoldsTheRateUntilTheRuleIsRemoved() throws Exception {
    FaultProxy.Rule slow = proxy.on(BLOBS).fault(Fault.slow(200_000));
    long start = System.nanoTime();
    byte[] range = send(get(proxy.url(), blobPath).header("Range", "bytes=0-99999")).body();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(range).isEqualTo(Arrays.copyOf(BLOB, 100_000));
    assertThat(millis).isBetween(400L, 3000L); // 100 kB at 200 kB/s: 0.5 s

    // The whole blob would take 5 s; removing the rule lets the rest go at full speed.
    CompletableFuture<HttpResponse<byte[]>> whole = sendAsync(get(proxy.url(), blobPath));
    Thread.sleep(300);
    assertThat(whole).isNotDone();
    start = System.nanoTime();
    slow.remove();
    assertThat(whole.get(2, TimeUnit.SECONDS).body()).isEqualTo(BLOB);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1500);
  }

  @Test
  void stallsForADurationOrUntilCleared() throws Exception {
    proxy.on(BLOBS).times(1).fault(Fault.stall(1000, Duration.ofMillis(500)));
    long start = System.nanoTime();
    assertThat(send(get(proxy.url(), blobPath)).body()).isEqualTo(BLOB);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(450L, 3000L);

    FaultProxy.Rule forever = proxy.on(BLOBS).fault(Fault.stallUntilCleared(1000));
    CompletableFuture<HttpResponse<byte[]>> stalled = sendAsync(get(proxy.url(), blobPath));
    await(() -> forever.fired() == 1);
    Thread.sleep(300);
    assertThat(stalled).isNotDone();
    assertThat(proxy.exchanges().getLast().bodyBytes()).isEqualTo(1000);
    proxy.clear();
    assertThat(stalled.get(2, TimeUnit.SECONDS).body()).isEqualTo(BLOB);
  }

  @Test
  void closingTheProxyEndsAStallBeforeTheHeaders() throws Exception {
    FaultProxy.Rule rule = proxy.on(BLOBS).fault(Fault.stallUntilCleared(Fault.BEFORE_HEADERS));
    CompletableFuture<HttpResponse<byte[]>> stalled = sendAsync(get(proxy.url(), blobPath));
    await(() -> rule.fired() == 1);
    Thread.sleep(200);
    assertThat(stalled).isNotDone();
    long start = System.nanoTime();
    proxy.close();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
    assertThat(stalled).failsWithin(Duration.ofSeconds(2));
    assertThatThrownBy(() -> new Socket("127.0.0.1", proxy.port()).close())
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void rulesMatchByMethodAndPathInOrderAndCount() throws Exception {
    FaultProxy.Rule heads = proxy.on("HEAD", BLOBS).fault(Fault.status(500));
    FaultProxy.Rule counter = proxy.on(BLOBS).times(2).fault(Fault.pass());
    FaultProxy.Rule other = proxy.on("/v2/").fault(Fault.status(503));
    assertThat(send(get(proxy.url(), blobPath).HEAD()).statusCode()).isEqualTo(500);
    for (int i = 0; i < 3; i++) {
      assertThat(send(get(proxy.url(), blobPath)).body()).isEqualTo(BLOB);
    }
    assertThat(send(get(proxy.url(), "/v2/")).statusCode()).isEqualTo(503);
    other.remove();
    assertThat(send(get(proxy.url(), "/v2/")).statusCode()).isEqualTo(200);

    assertThat(heads.hits()).isEqualTo(1);
    assertThat(counter.hits()).isEqualTo(2);
    assertThat(counter.fired()).isZero();
    assertThat(proxy.rules()).containsExactly(heads);
    assertThat(proxy.requests()).isEqualTo(6);
    assertThat(proxy.faulted()).isEqualTo(2);
    assertThat(proxy.bodyBytes(BLOBS)).isEqualTo(3L * BLOB.length);
    assertThat(proxy.bodyBytes()).isGreaterThan(3L * BLOB.length);
    List<Instant> gets = proxy.arrivals("GET", BLOBS);
    assertThat(gets).hasSize(3).isSorted();
    assertThat(proxy.arrivals(null, BLOBS)).hasSize(4);
    assertThat(proxy.exchanges().getFirst().status()).isEqualTo(500);
  }

  @Test
  void closeEndsIdleKeepAliveConnections() throws Exception {
    try (Socket idle = new Socket("127.0.0.1", proxy.port())) {
      idle.setSoTimeout(5000);
      await(() -> proxy.connections() == 1);
      proxy.close();
      assertThat(idle.getInputStream().read()).isEqualTo(-1);
    }
  }

  /**
   * Pushes {@code data} as a blob through {@code base}: POST, then one PUT with the body
   * (Content-Length) or a PATCH with a chunked body and an empty PUT; answers the blob's path.
   */
  private static String upload(HttpClient client, String base, byte[] data, boolean chunked)
      throws Exception {
    HttpResponse<String> started =
        client.send(
            get(base, "/v2/" + REPO + "/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    // The Host field goes through unchanged, so the registry points the client back at the proxy.
    String location = started.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith(base);
    if (chunked) {
      HttpResponse<String> patched =
          client.send(
              HttpRequest.newBuilder(URI.create(location))
                  .method(
                      "PATCH",
                      // An unknown length: the JDK client sends the body chunked.
                      HttpRequest.BodyPublishers.ofInputStream(
                          () -> new ByteArrayInputStream(data)))
                  .header("Content-Type", "application/octet-stream")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(patched.statusCode()).as(patched.body()).isEqualTo(202);
      location = patched.headers().firstValue("Location").orElseThrow();
    }
    String digest = sha256(data);
    HttpResponse<String> finished =
        client.send(
            HttpRequest.newBuilder(
                    URI.create(
                        location + (location.contains("?") ? "&" : "?") + "digest=" + digest))
                .PUT(
                    chunked
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(data))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(finished.statusCode()).as(finished.body()).isEqualTo(201);
    return "/v2/" + REPO + "/blobs/" + digest;
  }

  private static HttpRequest.Builder get(String base, String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private CompletableFuture<HttpResponse<byte[]>> sendAsync(HttpRequest.Builder request) {
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** What a bare socket client read: the head, the body bytes up to EOF or the error. */
  private record Raw(Head head, byte[] body, IOException error) {
    int status() {
      return head == null ? 0 : Integer.parseInt(head.startLine().split(" ", 3)[1]);
    }
  }

  private static Raw raw(FaultProxy proxy, String method, String target) throws IOException {
    try (Socket s = new Socket("127.0.0.1", proxy.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              (method
                      + " "
                      + target
                      + " HTTP/1.1\r\nHost: "
                      + proxy.hostPort()
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = new BufferedInputStream(s.getInputStream());
      Head head;
      try {
        head = HttpWire.readHead(in);
      } catch (IOException e) {
        return new Raw(null, new byte[0], e);
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          body.write(buf, 0, n);
        }
      } catch (IOException e) {
        return new Raw(head, body.toByteArray(), e);
      }
      return new Raw(head, body.toByteArray(), null);
    }
  }

  private static List<Long> differences(byte[] expected, byte[] got) {
    assertThat(got).hasSameSizeAs(expected);
    List<Long> at = new ArrayList<>();
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] != got[i]) {
        at.add((long) i);
      }
    }
    return at;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] data) throws NoSuchAlgorithmException {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
