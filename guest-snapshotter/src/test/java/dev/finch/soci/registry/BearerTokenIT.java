package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.registry.auth.CredentialRetriever;
import dev.finch.testkit.RegistryFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real registry in token auth mode with an in-test token server issuing x5c-signed JWTs. */
class BearerTokenIT {
  private static TokenServer tokens;
  private static RegistryFixture registry;
  private static Path dir;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("bearer-it-");
    tokens = new TokenServer(dir, "bob", "hunter2");
    registry =
        RegistryFixture.builder()
            .tokenAuth(tokens.realm(), TokenServer.SERVICE, TokenServer.ISSUER, tokens.certificate)
            .start();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    if (tokens != null) {
      tokens.close();
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // A leftover temp dir is harmless.
    }
  }

  private static RegistryClient client(CredentialRetriever c) {
    return RegistryClient.builder(registry.hostPort())
        .plainHttp(true)
        .credentials(c)
        .retryPolicy(new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(5)))
        .build();
  }

  @Test
  void pushesAndPullsWithTokensCachedPerScope() {
    RegistryClient c = client(CredentialRetriever.explicit("bob:hunter2"));
    Descriptor image = TestImages.pushImage(c, "tokened", "v1", 60);
    int afterPush = tokens.issued.get();
    assertThat(tokens.scopesAsked).contains("repository:tokened:pull,push");
    assertThat(c.resolve(ImageRef.parse(registry.hostPort() + "/tokened:v1"))).isEqualTo(image);
    assertThat(c.fetchManifest(ImageRef.parse(registry.hostPort() + "/tokened:v1")).descriptor())
        .isEqualTo(image);
    assertThat(tokens.issued.get() - afterPush).as("one pull token for both reads").isEqualTo(1);
  }

  @Test
  void wrongPasswordIsRefusedByTheTokenServer() {
    RegistryClient c = client(CredentialRetriever.explicit("bob:nope"));
    assertThatThrownBy(() -> c.listTags("tokened"))
        .isInstanceOf(RegistryException.Unauthorized.class)
        .hasMessageStartingWith(
            "unauthorized: wrong credentials for " + registry.hostPort() + " (HTTP 401)");
  }

  @Test
  void anonymousTokenWithoutAccessIsUnauthorized() {
    RegistryClient c = client(CredentialRetriever.anonymous());
    assertThatThrownBy(() -> c.listTags("tokened"))
        .isInstanceOf(RegistryException.Unauthorized.class)
        .hasMessage(
            "unauthorized: authentication required by " + registry.hostPort() + " (HTTP 401)");
  }
}
