package dev.finch.soci.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
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

  @Test
  void aBearerRealmMustBeAnHttpUrlWithAHost() {
    // was: IllegalArgumentException from URI.create when the token was fetched
    for (String header :
        List.of(
            "Bearer realm=\"a b\"", "Bearer realm=file:/etc/passwd", "Bearer realm=\"http:x\"")) {
      AuthChallenge c = AuthChallenge.parseAll(List.of(header)).getFirst();
      assertThatThrownBy(() -> Authorizer.realmOf(c))
          .isInstanceOf(AuthException.class)
          .hasMessageStartingWith("the registry's token realm is not");
    }
    AuthChallenge ok =
        AuthChallenge.parseAll(List.of("Bearer realm=\"https://a.example/t\"")).getFirst();
    assertThat(Authorizer.realmOf(ok)).hasHost("a.example");
  }

  @Test
  void aTokenAnswerWithoutATokenOrAsJsonNullIsRefused() {
    for (String body : List.of("null", "{}", "{\"token\":\"\"}", "[")) {
      assertThatThrownBy(
              () -> Authorizer.tokenFrom("auth.example", body.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(AuthException.class)
          .hasMessageStartingWith("token server auth.example sent");
    }
  }
}
