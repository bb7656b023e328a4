package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import dev.finch.testkit.RegistryFixture;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** https with a self-signed certificate: verified by default, never downgraded to http. */
class TlsIT {
  @RegisterExtension
  static final RegistryFixture REGISTRY = RegistryFixture.builder().tls().build();

  private static final RetryPolicy NONE =
      new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1));

  @Test
  void trustsTheGivenCaCertificate() {
    RegistryClient c =
        RegistryClient.builder(REGISTRY.hostPort())
            .caCertificate(REGISTRY.certificate())
            .retryPolicy(NONE)
            .build();
    byte[] data = TestImages.random(50, 300);
    assertThat(c.pushBlob("tls", Digest.sha256(data), data)).isTrue();
    assertThat(c.fetchBlobRange("tls", Digest.sha256(data), new ByteRange(0, 300))).isEqualTo(data);
    assertThat(c.baseUri().getScheme()).isEqualTo("https");
  }

  @Test
  void refusesAnUnknownCertificateWithoutFallingBackToHttp() {
    RegistryClient c = RegistryClient.builder(REGISTRY.hostPort()).retryPolicy(NONE).build();
    assertThatThrownBy(() -> c.listTags("tls"))
        .isInstanceOf(RegistryException.Unreachable.class)
        .hasMessage(
            "cannot reach registry "
                + REGISTRY.hostPort()
                + ": TLS error: certificate not trusted");
    assertThat(c.baseUri().getScheme()).isEqualTo("https");
  }

  @Test
  void skipVerifyAcceptsAnyCertificate() {
    RegistryClient c =
        RegistryClient.builder(REGISTRY.hostPort()).skipVerify(true).retryPolicy(NONE).build();
    assertThat(c.listTags("nothing")).isEmpty();
  }
}
