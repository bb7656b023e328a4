package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The time bounds of registry calls against a local HTTP server that stalls or throttles: a body
 * that stops arriving fails within the no-progress bound and the call within its budget, retries
 * included; a 429 or 503 with {@code Retry-After} is retried no sooner than asked, and not at all
 * when the wait would end past the budget.
 */
class RegistryTimeoutsTest {
  private static final byte[] BLOB = new byte[64 * 1024];
  private static final Digest DIGEST = Digest.sha256(BLOB);
  private final CountDownLatch release = new CountDownLatch(1);
  private FakeServer server;

  @AfterEach
  void tearDown() {
    release.countDown();
    if (server != null) {
      server.close();
    }
  }

  private static Timeouts bounds(Duration noProgress, Duration budget) {
    return new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), noProgress, budget, budget);
  }

  private RegistryClient client(Timeouts t, RetryPolicy retry) {
    return RegistryClient.builder(server.hostPort())
        .plainHttp(true)
        .timeouts(t)
        .retryPolicy(retry)
        .build();
  }

  // Sends headers and half the range, then holds the connection until the test ends.
  private void stallingServer() throws Exception {
    server =
        new FakeServer(
            ex -> {
              ex.getResponseHeaders().add("Content-Range", "bytes 0-1023/" + BLOB.length);
              ex.sendResponseHeaders(206, 1024);
              OutputStream out = ex.getResponseBody();
              out.write(BLOB, 0, 512);
              out.flush();
              try {
                release.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  @Test
  void aStalledBodyFailsWithinTheReadBudgetRetriesIncluded() throws Exception {
    stallingServer();
    try (RegistryClient c =
        client(
            bounds(Duration.ofMillis(800), Duration.ofSeconds(3)),
            new RetryPolicy(8, Duration.ofMillis(50), Duration.ofMillis(200)))) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> c.fetchBlobRange("r/x", DIGEST, new ByteRange(0, 1024)))
          .isInstanceOf(RegistryException.Unreachable.class)
          .hasMessageContaining("timed out after 3 s");
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(seconds).isBetween(2.0, 4.0);
      // the stall was retried: each attempt gave up after the no-progress bound
      assertThat(server.requests.size()).isBetween(3, 6);
    }
  }

  @Test
  void aStreamedRangeReadThatStallsIsBoundedToo() throws Exception {
    stallingServer();
    try (RegistryClient c =
        client(
            bounds(Duration.ofMillis(500), Duration.ofMillis(1500)),
            new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)))) {
      long t0 = System.nanoTime();
      assertThatThrownBy(
              () -> c.readBlobRange("r/x", DIGEST, new ByteRange(0, 1024), in -> in.readAllBytes()))
          .isInstanceOf(RegistryException.Unreachable.class)
          .hasMessageContaining("no bytes for 500 ms");
      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(1.4);
    }
  }

  @Test
  void retryAfterSecondsIsWaitedFor() throws Exception {
    List<Long> at = new CopyOnWriteArrayList<>();
    AtomicInteger n = new AtomicInteger();
    server =
        new FakeServer(
            ex -> {
              at.add(System.nanoTime());
              if (n.getAndIncrement() < 2) {
                ex.getResponseHeaders().add("Retry-After", "1");
                FakeServer.send(ex, 429, new byte[0]);
              } else {
                ex.getResponseHeaders().add("Content-Range", "bytes 0-9/" + BLOB.length);
                FakeServer.send(ex, 206, java.util.Arrays.copyOf(BLOB, 10));
              }
            });
    try (RegistryClient c =
        client(
            bounds(Duration.ofSeconds(2), Duration.ofSeconds(10)),
            new RetryPolicy(8, Duration.ofMillis(30), Duration.ofSeconds(60)))) {
      assertThat(c.fetchBlobRange("r/x", DIGEST, new ByteRange(0, 10))).hasSize(10);
    }
    assertThat(at).hasSize(3);
    // 30 ms and 60 ms of backoff would have been the waits without the header
    assertThat((at.get(1) - at.get(0)) / 1e6).isGreaterThanOrEqualTo(990);
    assertThat((at.get(2) - at.get(1)) / 1e6).isGreaterThanOrEqualTo(990);
  }

  @Test
  void aRetryAfterBeyondTheBudgetEndsTheCallAtOnce() throws Exception {
    server =
        new FakeServer(
            ex -> {
              ex.getResponseHeaders()
                  .add(
                      "Retry-After",
                      DateTimeFormatter.RFC_1123_DATE_TIME.format(
                          Instant.now().plusSeconds(30).atOffset(ZoneOffset.UTC)));
              FakeServer.send(ex, 503, new byte[0]);
            });
    try (RegistryClient c =
        client(
            bounds(Duration.ofSeconds(2), Duration.ofSeconds(5)),
            new RetryPolicy(8, Duration.ofMillis(30), Duration.ofSeconds(60)))) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> c.fetchBlobRange("r/x", DIGEST, new ByteRange(0, 10)))
          .isInstanceOf(RegistryException.UnexpectedResponse.class)
          .hasMessageContaining("HTTP 503");
      assertThat((System.nanoTime() - t0) / 1e9).isLessThan(1.0);
    }
    assertThat(server.requests).hasSize(1);
  }

  @Test
  void retryAfterValues() {
    Instant now = Instant.parse("2026-12-02T10:00:00Z");
    Duration cap = Duration.ofSeconds(300);
    assertThat(RetryPolicy.retryAfter("5", now, cap)).isEqualTo(Duration.ofSeconds(5));
    assertThat(RetryPolicy.retryAfter("0", now, cap)).isEqualTo(Duration.ZERO);
    assertThat(RetryPolicy.retryAfter("99999999999", now, cap)).isEqualTo(cap);
    assertThat(RetryPolicy.retryAfter("Wed, 02 Dec 2026 10:00:07 GMT", now, cap))
        .isEqualTo(Duration.ofSeconds(7));
    assertThat(RetryPolicy.retryAfter("Wed, 02 Dec 2026 09:00:00 GMT", now, cap))
        .isEqualTo(Duration.ZERO);
    assertThat(RetryPolicy.retryAfter("soon", now, cap)).isNull();
    assertThat(RetryPolicy.retryAfter("-3", now, cap)).isNull();
  }
}
