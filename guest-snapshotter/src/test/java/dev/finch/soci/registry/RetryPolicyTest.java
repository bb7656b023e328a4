package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void backsOffExponentiallyWithBoundedJitter() {
    RetryPolicy p = new RetryPolicy(8, Duration.ofMillis(30), Duration.ofMillis(1000));
    for (int i = 0; i < 20; i++) {
      assertThat(p.backoff(0).toMillis()).isBetween(30L, 33L);
      assertThat(p.backoff(2).toMillis()).isBetween(120L, 134L);
      assertThat(p.backoff(10).toMillis()).isBetween(1000L, 1124L);
    }
  }

  @Test
  void retriesThrottlingAndServerErrorsButNot501() {
    assertThat(RetryPolicy.retryableStatus(429)).isTrue();
    assertThat(RetryPolicy.retryableStatus(503)).isTrue();
    assertThat(RetryPolicy.retryableStatus(501)).isFalse();
    assertThat(RetryPolicy.retryableStatus(404)).isFalse();
  }

  @Test
  void loopbackHostsAreRecognised() {
    assertThat(EndpointCaller.isLoopback("127.0.0.1:5000")).isTrue();
    assertThat(EndpointCaller.isLoopback("127.1.2.3")).isTrue();
    assertThat(EndpointCaller.isLoopback("localhost:5000")).isTrue();
    assertThat(EndpointCaller.isLoopback("[::1]:5000")).isTrue();
    assertThat(EndpointCaller.isLoopback("registry.example:5000")).isFalse();
    assertThat(EndpointCaller.isLoopback("128.0.0.1")).isFalse();
  }

  @Test
  void describesTransportFailuresInAFewWords() {
    var refused = new java.net.ConnectException();
    var dns = new java.net.ConnectException();
    dns.initCause(new java.nio.channels.UnresolvedAddressException());
    assertThat(EndpointCaller.describe(refused)).isEqualTo("connection refused");
    assertThat(EndpointCaller.describe(dns)).isEqualTo("unknown host");
    assertThat(EndpointCaller.describe(new java.net.http.HttpConnectTimeoutException("x")))
        .isEqualTo("connection timed out");
    assertThat(
            EndpointCaller.describe(
                new java.io.IOException(new javax.net.ssl.SSLHandshakeException("PKIX path"))))
        .isEqualTo("TLS error: certificate not trusted");
  }
}
