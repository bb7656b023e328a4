package dev.finch.soci.registry.json;

import java.util.Map;

/**
 * The parts of {@code ~/.docker/config.json} that hold registry credentials.
 *
 * <pre>{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"},
 *   "127.0.0.1:5000":{"username":"u","password":"p"},"ghcr.io":{"identitytoken":"..."}},
 *  "credHelpers":{"123.dkr.ecr.us-east-1.amazonaws.com":"ecr-login"},
 *  "credsStore":"desktop"}</pre>
 *
 * @see <a href="https://docs.docker.com/reference/cli/docker/login/#credential-stores">docker
 *     login</a>
 */
public record DockerConfigFile(
    Map<String, AuthEntry> auths, Map<String, String> credHelpers, String credsStore) {

  public DockerConfigFile {
    auths = auths == null ? Map.of() : Map.copyOf(auths);
    credHelpers = credHelpers == null ? Map.of() : Map.copyOf(credHelpers);
  }

  /**
   * One {@code auths} entry: {@code auth} is base64 of {@code user:password}; {@code identitytoken}
   * is an OAuth2 refresh token.
   */
  public record AuthEntry(String auth, String username, String password, String identitytoken) {}
}
