package dev.finch.soci.registry.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.Json;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Each wire DTO against a golden document in src/test/resources/json. */
class WireJsonTest {
  private static <T> T golden(String name, Class<T> type) throws IOException {
    try (InputStream in = WireJsonTest.class.getResourceAsStream("/json/" + name)) {
      assertThat(in).as(name).isNotNull();
      return Json.read(in.readAllBytes(), type);
    }
  }

  @Test
  void tokenResponsePrefersTokenThenAccessToken() throws IOException {
    TokenResponse docker = golden("token-response.json", TokenResponse.class);
    assertThat(docker.effectiveToken()).isEqualTo("eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    assertThat(docker.expiresIn()).isEqualTo(300);
    TokenResponse oauth = golden("token-response-oauth.json", TokenResponse.class);
    assertThat(oauth.effectiveToken()).isEqualTo("oauth-token");
    assertThat(oauth.refreshToken()).isEqualTo("r");
  }

  @Test
  void errorResponseSummarisesCodes() throws IOException {
    assertThat(golden("error-response.json", ErrorResponse.class).summary())
        .isEqualTo(
            "MANIFEST_UNKNOWN: manifest unknown; DENIED: requested access to the resource is denied");
  }

  @Test
  void tagList() throws IOException {
    TagList t = golden("tag-list.json", TagList.class);
    assertThat(t.name()).isEqualTo("foo");
    assertThat(t.tags()).hasSize(2).first().isEqualTo("latest");
  }

  @Test
  void dockerConfigFile() throws IOException {
    DockerConfigFile c = golden("docker-config.json", DockerConfigFile.class);
    assertThat(c.auths())
        .containsOnlyKeys("https://index.docker.io/v1/", "127.0.0.1:5000", "ghcr.io");
    assertThat(c.auths().get("https://index.docker.io/v1/").auth()).isEqualTo("dXNlcjpwYXNz");
    assertThat(c.auths().get("ghcr.io").identitytoken()).isEqualTo("refresh");
    assertThat(c.credHelpers())
        .containsEntry("123456789012.dkr.ecr.us-east-1.amazonaws.com", "ecr-login");
    assertThat(c.credsStore()).isEqualTo("desktop");
  }

  @Test
  void helperCredential() throws IOException {
    HelperCredential h = golden("helper-credential.json", HelperCredential.class);
    assertThat(h).isEqualTo(new HelperCredential("127.0.0.1:5000", "alice", "s3cret"));
  }
}
