package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.registry.auth.Credential;
import dev.finch.soci.registry.auth.CredentialRetriever;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Credentials that expire without a 401, as AWS answers: ECR's 403 "Your authorization token has
 * expired" and S3's 400 ExpiredToken from a blob's pre-signed storage URL. A real distribution
 * registry cannot answer either, so both sides are {@link FakeServer}s.
 */
class ExpiredAuthIT {
  private static final RetryPolicy FAST =
      new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));
  private static final byte[] ECR_EXPIRED =
      ("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"Your authorization token"
              + " has expired. Reauthenticate and try again.\"}]}")
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] S3_EXPIRED =
      ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>ExpiredToken</Code>"
              + "<Message>The provided token has expired.</Message><RequestId>R1</RequestId></Error>")
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] BLOB = TestImages.random(11, 3000);
  private static final Digest DIGEST = Digest.sha256(BLOB);

  /** Hands out {@code AWS:token1}, {@code AWS:token2}, ... as an ECR credential helper would. */
  private static final class Tokens implements CredentialRetriever {
    final AtomicInteger asked = new AtomicInteger();

    @Override
    public Optional<Credential> retrieve(String registryHost) {
      return Optional.of(new Credential("AWS", "token" + asked.incrementAndGet()));
    }
  }

  private static String basic(int token) {
    return new Credential("AWS", "token" + token).basicHeader();
  }

  /**
   * An ECR-like registry: Basic challenge without credentials, 200 for {@code valid}, else the 403.
   */
  private static FakeServer ecr(AtomicReference<String> valid, byte[] forbidden)
      throws IOException {
    return new FakeServer(
        ex -> {
          String auth = ex.getRequestHeaders().getFirst("Authorization");
          if (auth == null) {
            ex.getResponseHeaders()
                .add(
                    "WWW-Authenticate",
                    "Basic realm=\"https://ecr.example/\",service=\"ecr.amazonaws.com\"");
            FakeServer.send(ex, 401, new byte[0]);
          } else if (auth.equals(valid.get())) {
            FakeServer.send(
                ex, 200, "{\"name\":\"foo\",\"tags\":[\"a\"]}".getBytes(StandardCharsets.UTF_8));
          } else {
            ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            FakeServer.send(ex, 403, forbidden);
          }
        });
  }

  private static RegistryClient client(String hostPort, CredentialRetriever credentials) {
    return RegistryClient.builder(hostPort)
        .plainHttp(true)
        .credentials(credentials)
        .retryPolicy(FAST)
        .build();
  }

  @Test
  void ecrExpiredTokenAsksForFreshCredentialsAndRetries() throws Exception {
    AtomicReference<String> valid = new AtomicReference<>(basic(1));
    Tokens tokens = new Tokens();
    try (FakeServer s = ecr(valid, ECR_EXPIRED)) {
      RegistryClient c = client(s.hostPort(), tokens);
      assertThat(c.listTags("foo")).containsExactly("a");
      assertThat(c.listTags("foo")).containsExactly("a");
      assertThat(tokens.asked).as("credential cached while it works").hasValue(1);
      valid.set(basic(2));
      assertThat(c.listTags("foo")).containsExactly("a");
      assertThat(tokens.asked).hasValue(2);
      assertThat(s.requests)
          .extracting(FakeServer.Seen::authorization)
          .containsExactly(null, basic(1), basic(1), basic(1), basic(2));
    }
  }

  @Test
  void ecrTokenThatStaysExpiredIsOneDeniedErrorAfterOneRenewal() throws Exception {
    Tokens tokens = new Tokens();
    AtomicReference<String> valid = new AtomicReference<>(basic(1));
    try (FakeServer s = ecr(valid, ECR_EXPIRED)) {
      RegistryClient c = client(s.hostPort(), tokens);
      assertThat(c.listTags("foo")).containsExactly("a");
      valid.set("none");
      assertThatThrownBy(() -> c.listTags("foo"))
          .isInstanceOf(RegistryException.Denied.class)
          .hasMessage(
              "list tags of "
                  + s.hostPort()
                  + "/foo: denied (HTTP 403): DENIED: Your authorization token"
                  + " has expired. Reauthenticate and try again. (still expired after authenticating again)");
      assertThat(s.requests)
          .extracting(FakeServer.Seen::authorization)
          .containsExactly(null, basic(1), basic(1), basic(2));
      assertThat(tokens.asked).hasValue(2);
    }
  }

  @Test
  void anyOther403IsAPermissionErrorNotAChallenge() throws Exception {
    byte[] denied =
        "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"User is not authorized to perform ecr:BatchGetImage\"}]}"
            .getBytes(StandardCharsets.UTF_8);
    Tokens tokens = new Tokens();
    AtomicReference<String> valid = new AtomicReference<>(basic(1));
    try (FakeServer s = ecr(valid, denied)) {
      RegistryClient c = client(s.hostPort(), tokens);
      assertThat(c.listTags("foo")).containsExactly("a");
      valid.set("none");
      assertThatThrownBy(() -> c.listTags("foo"))
          .isInstanceOf(RegistryException.Denied.class)
          .hasMessage(
              "list tags of "
                  + s.hostPort()
                  + "/foo: denied (HTTP 403): DENIED: User is not authorized to"
                  + " perform ecr:BatchGetImage");
      assertThat(s.requests)
          .extracting(FakeServer.Seen::authorization)
          .containsExactly(null, basic(1), basic(1));
      assertThat(tokens.asked).hasValue(1);
    }
  }

  /**
   * A registry that redirects blob GETs to {@code storage} with a new {@code X-Amz-Security-Token}
   * each time, and storage that answers S3's ExpiredToken for tokens below {@code firstValid}.
   */
  private record Aws(FakeServer registry, FakeServer storage) implements AutoCloseable {
    static Aws start(AtomicInteger firstValid) throws IOException {
      FakeServer storage =
          new FakeServer(
              ex -> {
                int token =
                    Integer.parseInt(
                        ex.getRequestURI().getQuery().replaceFirst(".*X-Amz-Security-Token=", ""));
                if (token < firstValid.get()) {
                  ex.getResponseHeaders().add("Content-Type", "application/xml");
                  FakeServer.send(ex, 400, S3_EXPIRED);
                  return;
                }
                serve(ex);
              });
      AtomicInteger signed = new AtomicInteger();
      FakeServer registry =
          new FakeServer(
              ex -> {
                ex.getResponseHeaders()
                    .add(
                        "Location",
                        "http://"
                            + storage.hostPort()
                            + "/bucket/"
                            + DIGEST.hex()
                            + "?X-Amz-Security-Token="
                            + signed.incrementAndGet());
                FakeServer.send(ex, 307, new byte[0]);
              });
      return new Aws(registry, storage);
    }

    List<String> tokensSeen() {
      return storage.requests.stream()
          .map(r -> r.uri().replaceFirst(".*X-Amz-Security-Token=", ""))
          .toList();
    }

    @Override
    public void close() {
      registry.close();
      storage.close();
    }
  }

  private static void serve(HttpExchange ex) throws IOException {
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range == null) {
      FakeServer.send(ex, 200, BLOB);
      return;
    }
    String[] se = range.substring("bytes=".length()).split("-");
    int a = Integer.parseInt(se[0]);
    int b = Integer.parseInt(se[1]);
    ex.getResponseHeaders().add("Content-Range", "bytes " + a + "-" + b + "/" + BLOB.length);
    FakeServer.send(ex, 206, Arrays.copyOfRange(BLOB, a, b + 1));
  }

  @Test
  void expiredStorageUrlIsSignedAfreshByTheRegistry() throws Exception {
    try (Aws aws = Aws.start(new AtomicInteger(2))) {
      RegistryClient c = client(aws.registry().hostPort(), CredentialRetriever.anonymous());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(c.fetchBlob("foo", DIGEST, out)).isEqualTo(BLOB.length);
      assertThat(out.toByteArray()).isEqualTo(BLOB);
      assertThat(aws.registry().requests).hasSize(2);
      assertThat(aws.tokensSeen()).containsExactly("1", "2");
      assertThat(aws.storage().requests)
          .extracting(FakeServer.Seen::authorization)
          .containsOnlyNulls();
    }
  }

  @Test
  void rangeReadRenewsARememberedStorageUrlThatExpired() throws Exception {
    AtomicInteger firstValid = new AtomicInteger(1);
    try (Aws aws = Aws.start(firstValid)) {
      RegistryClient c = client(aws.registry().hostPort(), CredentialRetriever.anonymous());
      assertThat(c.fetchBlobRange("foo", DIGEST, new ByteRange(0, 10)))
          .isEqualTo(Arrays.copyOfRange(BLOB, 0, 10));
      assertThat(c.realUrl("foo", DIGEST).map(URI::getQuery)).hasValue("X-Amz-Security-Token=1");
      firstValid.set(2);
      assertThat(c.fetchBlobRange("foo", DIGEST, new ByteRange(100, 200)))
          .isEqualTo(Arrays.copyOfRange(BLOB, 100, 200));
      assertThat(c.realUrl("foo", DIGEST).map(URI::getQuery)).hasValue("X-Amz-Security-Token=2");
      assertThat(aws.tokensSeen()).containsExactly("1", "1", "2");
      assertThat(aws.registry().requests).hasSize(2);
    }
  }

  @Test
  void storageUrlThatStaysExpiredIsOneClearErrorAfterOneFreshRedirect() throws Exception {
    try (Aws aws = Aws.start(new AtomicInteger(Integer.MAX_VALUE))) {
      RegistryClient c = client(aws.registry().hostPort(), CredentialRetriever.anonymous());
      assertThatThrownBy(() -> c.fetchBlob("foo", DIGEST, new ByteArrayOutputStream()))
          .isInstanceOf(RegistryException.Denied.class)
          .hasMessage(
              "pull blob "
                  + aws.registry().hostPort()
                  + "/foo@"
                  + DIGEST
                  + ": denied (HTTP 400): signed"
                  + " storage URL at 127.0.0.1 expired (ExpiredToken: The provided token has expired.), again after a"
                  + " fresh redirect");
      assertThat(aws.registry().requests).hasSize(2);
      assertThat(aws.tokensSeen()).containsExactly("1", "2");
    }
  }

  @Test
  void otherStorage400IsNotRefreshed() throws Exception {
    try (FakeServer storage =
            new FakeServer(
                ex -> {
                  ex.getResponseHeaders().add("Content-Type", "application/xml");
                  FakeServer.send(
                      ex,
                      400,
                      "<Error><Code>InvalidArgument</Code><Message>bad</Message></Error>"
                          .getBytes());
                });
        FakeServer registry =
            new FakeServer(
                ex -> {
                  ex.getResponseHeaders()
                      .add("Location", "http://" + storage.hostPort() + "/bucket/x");
                  FakeServer.send(ex, 307, new byte[0]);
                })) {
      RegistryClient c = client(registry.hostPort(), CredentialRetriever.anonymous());
      assertThatThrownBy(() -> c.openBlob("foo", DIGEST))
          .isInstanceOf(RegistryException.UnexpectedResponse.class)
          .hasMessageContaining("HTTP 400");
      assertThat(registry.requests).hasSize(1);
      assertThat(storage.requests).hasSize(1);
    }
  }
}
