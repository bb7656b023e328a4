package dev.finch.soci.registry.json;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What {@code docker-credential-<name> get} prints on stdout. A Username of {@code <token>} means
 * the Secret is an identity (refresh) token.
 *
 * <pre>{"ServerURL":"127.0.0.1:5000","Username":"alice","Secret":"s3cret"}</pre>
 *
 * @see <a href="https://github.com/docker/docker-credential-helpers">docker-credential-helpers</a>
 */
public record HelperCredential(
    @JsonProperty("ServerURL") String serverUrl,
    @JsonProperty("Username") String username,
    @JsonProperty("Secret") String secret) {}
