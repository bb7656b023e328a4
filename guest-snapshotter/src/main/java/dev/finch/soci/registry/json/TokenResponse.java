package dev.finch.soci.registry.json;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer of a Bearer token server. Docker's servers send {@code token}, OAuth2 servers {@code
 * access_token}; either is accepted.
 *
 * <pre>{"token":"eyJhbGciOi...","access_token":"eyJhbGciOi...","expires_in":300,
 *  "issued_at":"2024-01-01T00:00:00Z"}</pre>
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">Token
 *     authentication</a>
 */
public record TokenResponse(
    @JsonProperty("token") String token,
    @JsonProperty("access_token") String accessToken,
    @JsonProperty("expires_in") Integer expiresIn,
    @JsonProperty("refresh_token") String refreshToken) {

  /** The token to send, preferring {@code token}; null when the server sent neither. */
  public String effectiveToken() {
    if (token != null && !token.isEmpty()) {
      return token;
    }
    return accessToken == null || accessToken.isEmpty() ? null : accessToken;
  }
}
