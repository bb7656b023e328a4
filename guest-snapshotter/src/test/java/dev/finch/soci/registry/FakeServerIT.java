package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.testkit.RegistryFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Answers a real registry does not give: a wrong Content-Range, transient 503s, redirects to
 * storage, Bearer tokens that expire mid-run, and no server at all.
 */
class FakeServerIT {
  @RegisterExtension static final RegistryFixture REGISTRY = RegistryFixture.builder().build();

  private static final RetryPolicy FAST =
      new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));
  private static final Digest BLOB = Digest.sha256("0123456789".getBytes(StandardCharsets.UTF_8));

  private static RegistryClient clientFor(String hostPort) {
    return RegistryClient.builder(hostPort).plainHttp(true).retryPolicy(FAST).build();
  }

  @Test
  void detectsContentRangeThatDoesNotMatchTheRequest() throws Exception {
    try (FakeServer s =
        new FakeServer(
            ex -> {
              ex.getResponseHeaders().add("Content-Range", "bytes 0-3/10");
              FakeServer.send(ex, 206, "0123".getBytes(StandardCharsets.UTF_8));
            })) {
      assertThatThrownBy(
              () -> clientFor(s.hostPort()).fetchBlobRange("foo", BLOB, new ByteRange(2, 6)))
          .isInstanceOfSatisfying(
              RangeMismatchException.class,
              e -> {
                assertThat(e.expected()).isEqualTo("bytes 2-5");
                assertThat(e.actual()).isEqualTo("bytes 0-3/10");
              })
          .hasMessageContaining("Content-Range mismatch: expected bytes 2-5, got bytes 0-3/10");
    }
  }

  @Test
  void missingContentRangeOn206IsAMismatchToo() throws Exception {
    try (FakeServer s =
        new FakeServer(ex -> FakeServer.send(ex, 206, "2345".getBytes(StandardCharsets.UTF_8)))) {
      assertThatThrownBy(
              () -> clientFor(s.hostPort()).fetchBlobRange("foo", BLOB, new ByteRange(2, 6)))
          .isInstanceOfSatisfying(
              RangeMismatchException.class, e -> assertThat(e.actual()).isEqualTo("(none)"));
    }
  }

  @Test
  void wholeBody200IsSlicedForEachRange() throws Exception {
    try (FakeServer s =
        new FakeServer(
            ex -> FakeServer.send(ex, 200, "0123456789".getBytes(StandardCharsets.UTF_8)))) {
      var got =
          clientFor(s.hostPort())
              .fetchBlobRanges(
                  "foo", BLOB, java.util.List.of(new ByteRange(1, 3), new ByteRange(7, 9)));
      assertThat(new String(got.get(0), StandardCharsets.UTF_8)).isEqualTo("12");
      assertThat(new String(got.get(1), StandardCharsets.UTF_8)).isEqualTo("78");
    }
  }

  @Test
  void switchesToSingleRangeRequestsAfter400() throws Exception {
    byte[] blob = "0123456789".getBytes(StandardCharsets.UTF_8);
    try (FakeServer s =
        new FakeServer(
            ex -> {
              String range = ex.getRequestHeaders().getFirst("Range");
              if (range.contains(",")) {
                FakeServer.send(
                    ex,
                    400,
                    "{\"errors\":[{\"code\":\"RANGE_INVALID\",\"message\":\"one range only\"}]}"
                        .getBytes());
                return;
              }
              String[] se = range.substring("bytes=".length()).split("-");
              int a = Integer.parseInt(se[0]);
              int b = Integer.parseInt(se[1]);
              ex.getResponseHeaders().add("Content-Range", "bytes " + a + "-" + b + "/10");
              FakeServer.send(ex, 206, Arrays.copyOfRange(blob, a, b + 1));
            })) {
      RegistryClient c = clientFor(s.hostPort());
      List<ByteRange> ranges = List.of(new ByteRange(1, 3), new ByteRange(6, 8));
      assertThat(c.fetchBlobRanges("foo", BLOB, ranges))
          .extracting(b -> new String(b, StandardCharsets.UTF_8))
          .containsExactly("12", "67");
      assertThat(c.fetchBlobRanges("foo", BLOB, ranges)).hasSize(2);
      assertThat(s.requests)
          .extracting(FakeServer.Seen::range)
          .containsExactly("bytes=1-2,6-7", "bytes=1-2", "bytes=6-7", "bytes=1-2", "bytes=6-7");
    }
  }

  @Test
  void resolveFallsBackToGetWhenHeadIsNotSupported() throws Exception {
    byte[] manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.DOCKER_MANIFEST
                + "\",\"config\":{},\"layers\":[]}")
            .getBytes(StandardCharsets.UTF_8);
    try (FakeServer s =
        new FakeServer(
            ex -> {
              assertThat(ex.getRequestHeaders().getFirst("Accept"))
                  .contains(MediaTypes.DOCKER_MANIFEST_LIST);
              if (ex.getRequestMethod().equals("HEAD")) {
                FakeServer.send(ex, 405, new byte[0]);
                return;
              }
              ex.getResponseHeaders().add("Content-Type", "application/json");
              FakeServer.send(ex, 200, manifest);
            })) {
      Descriptor d = clientFor(s.hostPort()).resolve(ImageRef.parse(s.hostPort() + "/foo:bar"));
      assertThat(d)
          .isEqualTo(
              Descriptor.of(MediaTypes.DOCKER_MANIFEST, Digest.sha256(manifest), manifest.length));
      assertThat(s.requests).extracting(FakeServer.Seen::method).containsExactly("HEAD", "GET");
    }
  }

  @Test
  void manifestFetchedByDigestMustMatchIt() throws Exception {
    try (FakeServer s =
        new FakeServer(
            ex -> {
              ex.getResponseHeaders().add("Content-Type", MediaTypes.OCI_MANIFEST);
              FakeServer.send(ex, 200, "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8));
            })) {
      assertThatThrownBy(() -> clientFor(s.hostPort()).fetchManifest("foo", BLOB))
          .isInstanceOfSatisfying(
              DigestMismatchException.class, e -> assertThat(e.expected()).isEqualTo(BLOB))
          .hasMessageStartingWith(
              "pull manifest " + s.hostPort() + "/foo@" + BLOB + ": digest mismatch");
    }
  }

  @Test
  void retriesServiceUnavailableThenSucceeds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (FakeServer s =
        new FakeServer(
            ex -> {
              if (calls.incrementAndGet() <= 2) {
                FakeServer.send(ex, 503, new byte[0]);
                return;
              }
              ex.getResponseHeaders().add("Content-Range", "bytes 2-5/10");
              FakeServer.send(ex, 206, "2345".getBytes(StandardCharsets.UTF_8));
            })) {
      assertThat(clientFor(s.hostPort()).fetchBlobRange("foo", BLOB, new ByteRange(2, 6)))
          .asString(StandardCharsets.UTF_8)
          .isEqualTo("2345");
      assertThat(calls).hasValue(3);
    }
  }

  @Test
  void retriesARangeWhoseBodyBreaksOff() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (java.net.ServerSocket server =
        new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      Thread.startVirtualThread(
          () -> {
            while (!server.isClosed()) {
              try (java.net.Socket sock = server.accept()) {
                java.io.InputStream in = sock.getInputStream();
                String head = "";
                while (!head.endsWith("\r\n\r\n")) {
                  head += (char) in.read();
                }
                boolean first = calls.incrementAndGet() == 1;
                String body = first ? "23" : "2345";
                sock.getOutputStream()
                    .write(
                        ("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 2-5/10\r\n"
                                + "Content-Length: 4\r\nConnection: close\r\n\r\n"
                                + body)
                            .getBytes(StandardCharsets.US_ASCII));
                sock.getOutputStream().flush();
              } catch (java.io.IOException e) {
                return;
              }
            }
          });
      RegistryClient c = clientFor("127.0.0.1:" + server.getLocalPort());
      assertThat(c.fetchBlobRange("foo", BLOB, new ByteRange(2, 6)))
          .asString(StandardCharsets.UTF_8)
          .isEqualTo("2345");
      assertThat(calls).hasValue(2);
    }
  }

  @Test
  void givesUpAfterBoundedRetriesOn503AndDoesNotRetry501() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (FakeServer s =
        new FakeServer(
            ex -> {
              calls.incrementAndGet();
              FakeServer.send(
                  ex,
                  ex.getRequestURI().getPath().contains("five-oh-one") ? 501 : 503,
                  new byte[0]);
            })) {
      RegistryClient c = clientFor(s.hostPort());
      assertThatThrownBy(() -> c.fetchManifest("foo", "bar"))
          .hasMessage("pull manifest " + s.hostPort() + "/foo:bar: HTTP 503");
      assertThat(calls).hasValue(4);
      calls.set(0);
      assertThatThrownBy(() -> c.fetchManifest("five-oh-one", "bar"))
          .hasMessageContaining("HTTP 501");
      assertThat(calls).hasValue(1);
    }
  }

  @Test
  void followsRedirectToStorageAndRemembersTheRealUrl() throws Exception {
    RegistryClient direct = clientFor(REGISTRY.hostPort());
    byte[] data = TestImages.random(7, 500);
    Digest d = Digest.sha256(data);
    direct.pushBlob("redirected", d, data);
    String storage = "http://" + REGISTRY.hostPort() + "/v2/redirected/blobs/" + d;
    try (FakeServer s =
        new FakeServer(
            ex -> {
              ex.getResponseHeaders().add("Location", storage);
              FakeServer.send(ex, 307, new byte[0]);
            })) {
      RegistryClient c = clientFor(s.hostPort());
      assertThat(c.fetchBlobRange("redirected", d, new ByteRange(10, 20)))
          .isEqualTo(Arrays.copyOfRange(data, 10, 20));
      assertThat(c.realUrl("redirected", d)).hasValue(java.net.URI.create(storage));
      assertThat(c.fetchBlobRange("redirected", d, new ByteRange(30, 40)))
          .isEqualTo(Arrays.copyOfRange(data, 30, 40));
      assertThat(s.requests).as("second read went straight to storage").hasSize(1);
    }
  }

  @Test
  void unreachableRegistryIsOneLineAfterBoundedRetries() {
    RegistryClient c =
        RegistryClient.builder("127.0.0.1:1").plainHttp(true).retryPolicy(FAST).build();
    long start = System.nanoTime();
    assertThatThrownBy(() -> c.resolve(ImageRef.parse("127.0.0.1:1/foo:bar")))
        .isInstanceOf(RegistryException.Unreachable.class)
        .hasMessage("cannot reach registry 127.0.0.1:1: connection refused");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void reauthenticatesOnceWhenATokenStopsWorkingMidRun() throws Exception {
    AtomicInteger tokens = new AtomicInteger();
    AtomicInteger revokedUpTo = new AtomicInteger();
    try (FakeServer s =
        new FakeServer(
            ex -> {
              String path = ex.getRequestURI().getPath();
              if (path.equals("/token")) {
                assertThat(ex.getRequestURI().getQuery())
                    .contains("scope=repository:foo:pull")
                    .contains("service=fake");
                FakeServer.send(
                    ex,
                    200,
                    ("{\"access_token\":\"t" + tokens.incrementAndGet() + "\",\"expires_in\":300}")
                        .getBytes());
                return;
              }
              String auth = ex.getRequestHeaders().getFirst("Authorization");
              int n =
                  auth != null && auth.startsWith("Bearer t")
                      ? Integer.parseInt(auth.substring(8))
                      : 0;
              if (n <= revokedUpTo.get()) {
                ex.getResponseHeaders()
                    .add(
                        "WWW-Authenticate",
                        "Bearer realm=\"http://"
                            + ex.getLocalAddress().getHostString()
                            + ":"
                            + ex.getLocalAddress().getPort()
                            + "/token\",service=\"fake\",scope=\"repository:foo:pull\"");
                FakeServer.send(ex, 401, new byte[0]);
                return;
              }
              FakeServer.send(ex, 200, "{\"name\":\"foo\",\"tags\":[\"a\"]}".getBytes());
            })) {
      RegistryClient c = clientFor(s.hostPort());
      assertThat(c.listTags("foo")).containsExactly("a");
      assertThat(c.listTags("foo")).containsExactly("a");
      assertThat(tokens).as("token cached per scope").hasValue(1);
      revokedUpTo.set(1);
      assertThat(c.listTags("foo")).containsExactly("a");
      assertThat(tokens).as("one re-auth").hasValue(2);
      revokedUpTo.set(100);
      assertThatThrownBy(() -> c.listTags("foo"))
          .isInstanceOf(RegistryException.Unauthorized.class)
          .hasMessage("unauthorized: authentication required by " + s.hostPort() + " (HTTP 401)");
    }
  }
}
