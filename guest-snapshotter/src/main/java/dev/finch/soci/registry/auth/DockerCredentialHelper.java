package dev.finch.soci.registry.auth;

import dev.finch.process.CommandResult;
import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;
import dev.finch.soci.oci.Json;
import dev.finch.soci.registry.json.HelperCredential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Runs {@code docker-credential-<name> get}: the server URL goes to stdin, JSON {@code
 * {"Username":..,"Secret":..}} comes back on stdout. "credentials not found" is an empty answer,
 * any other failure a {@link CredentialException}.
 *
 * @see <a href="https://github.com/docker/docker-credential-helpers#development">helper
 *     protocol</a>
 */
public final class DockerCredentialHelper {
  /** Generous: a helper may wait for the user to unlock a keychain. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final CommandRunner runner;

  /** A helper called {@code docker-credential-<name>} on the PATH, run through {@code runner}. */
  public DockerCredentialHelper(String name, CommandRunner runner) {
    this.name = name;
    this.runner = runner;
  }

  public String program() {
    return "docker-credential-" + name;
  }

  /** Asks the helper for the credentials it stores for {@code serverUrl}. */
  public Optional<Credential> get(String serverUrl) {
    CommandSpec spec = CommandSpec.of(program(), "get").withStdin(serverUrl).withTimeout(TIMEOUT);
    CommandResult result;
    try {
      result = runner.run(spec);
    } catch (IOException e) {
      throw new CredentialException("credential helper " + program() + ": " + e.getMessage(), e);
    }
    if (!result.ok()) {
      String text = (result.out() + " " + result.err()).toLowerCase(java.util.Locale.ROOT);
      if (text.contains("credentials not found")) {
        return Optional.empty();
      }
      throw new CredentialException(
          "credential helper "
              + program()
              + " get "
              + serverUrl
              + ": exit status "
              + result.exit()
              + ": "
              + (result.out() + " " + result.err()).strip(),
          null);
    }
    HelperCredential c;
    try {
      c = Json.read(result.out().getBytes(StandardCharsets.UTF_8), HelperCredential.class);
    } catch (IOException e) {
      throw new CredentialException("credential helper " + program() + ": unreadable output", e);
    }
    if (c.secret() == null || c.secret().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Credential(c.username(), c.secret()));
  }
}
