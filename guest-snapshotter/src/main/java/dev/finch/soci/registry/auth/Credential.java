package dev.finch.soci.registry.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A username and secret for one registry. A username of {@value #IDENTITY_TOKEN_USER} marks the
 * secret as an identity (OAuth2 refresh) token, as docker credential helpers do.
 */
public record Credential(String username, String secret) {
  /** The username docker uses to mean "the secret is an identity token". */
  public static final String IDENTITY_TOKEN_USER = "<token>";

  public Credential {
    username = username == null ? "" : username;
    secret = secret == null ? "" : secret;
  }

  /** True when the secret is an identity token to trade at the token server, not a password. */
  public boolean isIdentityToken() {
    return IDENTITY_TOKEN_USER.equals(username);
  }

  /** The value of an {@code Authorization: Basic ...} header. */
  public String basicHeader() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((username + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  /** Hides the secret. */
  @Override
  public String toString() {
    return "Credential[" + username + ":***]";
  }
}
