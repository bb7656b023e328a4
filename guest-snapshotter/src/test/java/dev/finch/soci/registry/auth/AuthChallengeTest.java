package dev.finch.soci.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
  @Test
  void parsesBearerWithQuotedCommaInScope() {
    List<AuthChallenge> c =
        AuthChallenge.parseAll(
            List.of(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                    + "scope=\"repository:library/alpine:pull,push\",error=\"insufficient_scope\""));
    assertThat(c)
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.isBearer()).isTrue();
              assertThat(b.param("realm")).isEqualTo("https://auth.docker.io/token");
              assertThat(b.param("service")).isEqualTo("registry.docker.io");
              assertThat(b.param("scope")).isEqualTo("repository:library/alpine:pull,push");
            });
  }

  @Test
  void parsesSeveralChallengesAndUnquotedValues() {
    List<AuthChallenge> c =
        AuthChallenge.parseAll(
            List.of("Basic realm=x, Bearer realm=\"r\", service=s", "Negotiate"));
    assertThat(c).extracting(AuthChallenge::scheme).containsExactly("basic", "bearer", "negotiate");
    assertThat(c.get(0).param("realm")).isEqualTo("x");
    assertThat(c.get(1).param("service")).isEqualTo("s");
  }
}
