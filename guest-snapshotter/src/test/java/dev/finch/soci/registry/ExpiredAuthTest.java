package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExpiredAuthTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void ecrExpiryIsOnlyThe403WithTheExpiredMessage() {
    byte[] expired =
        utf8(
            "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"Your authorization token has expired."
                + " Reauthenticate and try again.\"}]}");
    assertThat(ExpiredAuth.isEcrTokenExpired(403, expired)).isTrue();
    assertThat(
            ExpiredAuth.isEcrTokenExpired(
                403, utf8("denied: Your Authorization Token has expired.")))
        .isTrue();
    assertThat(ExpiredAuth.isEcrTokenExpired(400, expired)).isFalse();
    assertThat(
            ExpiredAuth.isEcrTokenExpired(
                403, utf8("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"denied\"}]}")))
        .isFalse();
    assertThat(ExpiredAuth.isEcrTokenExpired(403, new byte[0])).isFalse();
  }

  @Test
  void ecrChallengeIsBasicForTheHost() {
    var c = ExpiredAuth.ecrChallenge("123.dkr.ecr.us-east-1.amazonaws.com");
    assertThat(c.isBasic()).isTrue();
    assertThat(c.param("realm")).isEqualTo("https://123.dkr.ecr.us-east-1.amazonaws.com/");
    assertThat(c.param("service")).isEqualTo("ecr.amazonaws.com");
  }

  @Test
  void storageExpiryNeedsStatus400XmlAndTheExpiredTokenCode() {
    byte[] body =
        utf8(
            "<?xml version=\"1.0\"?>\n<Error><Code>ExpiredToken</Code>"
                + "<Message> The provided token has expired. </Message></Error>");
    assertThat(ExpiredAuth.isExpiredStorageToken(400, "application/xml", body)).isTrue();
    assertThat(ExpiredAuth.isExpiredStorageToken(403, "application/xml", body)).isFalse();
    assertThat(ExpiredAuth.isExpiredStorageToken(400, "application/json", body)).isFalse();
    assertThat(ExpiredAuth.isExpiredStorageToken(400, null, body)).isFalse();
    assertThat(
            ExpiredAuth.isExpiredStorageToken(
                400, "application/xml", utf8("<Error><Code>AccessDenied</Code></Error>")))
        .isFalse();
    assertThat(ExpiredAuth.storageDetail(body))
        .isEqualTo("ExpiredToken: The provided token has expired.");
    assertThat(ExpiredAuth.storageDetail(utf8("<Code>ExpiredToken</Code>")))
        .isEqualTo("ExpiredToken");
  }
}
