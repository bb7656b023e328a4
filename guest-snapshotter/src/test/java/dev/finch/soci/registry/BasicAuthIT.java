package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.registry.auth.CredentialRetriever;
import dev.finch.testkit.RegistryFixture;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** htpasswd Basic auth on a real registry. */
class BasicAuthIT {
  @RegisterExtension
  static final RegistryFixture REGISTRY =
      RegistryFixture.builder().basicAuth("alice", "s3cret").build();

  private static RegistryClient client(CredentialRetriever credentials) {
    return RegistryClient.builder(REGISTRY.hostPort())
        .plainHttp(true)
        .credentials(credentials)
        .retryPolicy(new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(5)))
        .build();
  }

  @Test
  void pushesAndPullsWithRightCredentials() {
    RegistryClient c = client(CredentialRetriever.explicit("alice:s3cret"));
    Descriptor image = TestImages.pushImage(c, "private", "v1", 40);
    assertThat(c.resolve(ImageRef.parse(REGISTRY.hostPort() + "/private:v1"))).isEqualTo(image);
  }

  @Test
  void wrongCredentialsAreOneLine() {
    RegistryClient c = client(CredentialRetriever.explicit("alice:wrong"));
    assertThatThrownBy(() -> c.resolve(ImageRef.parse(REGISTRY.hostPort() + "/private:v1")))
        .isInstanceOf(RegistryException.Unauthorized.class)
        .hasMessage("unauthorized: wrong credentials for " + REGISTRY.hostPort() + " (HTTP 401)");
  }

  @Test
  void noCredentialsSaysAuthenticationIsRequired() {
    RegistryClient c = client(CredentialRetriever.anonymous());
    assertThatThrownBy(() -> c.listTags("private"))
        .isInstanceOf(RegistryException.Unauthorized.class)
        .hasMessage(
            "unauthorized: authentication required by " + REGISTRY.hostPort() + " (HTTP 401)");
  }
}
