package dev.finch.soci.registry.auth;

import java.util.List;
import java.util.Optional;

/**
 * One source of registry credentials. Sources form a chain (see {@link #chain}): an empty answer
 * means "ask the next one".
 */
@FunctionalInterface
public interface CredentialRetriever {
  /**
   * Looks up credentials for a registry as an image reference names it, e.g. {@code 127.0.0.1:5000}
   * or {@code docker.io}.
   *
   * @throws CredentialException when the source exists but is broken (unreadable config, failing
   *     helper)
   */
  Optional<Credential> retrieve(String registryHost);

  /** No credentials, ever: anonymous access. */
  static CredentialRetriever anonymous() {
    return host -> Optional.empty();
  }

  /** The first non-empty answer of {@code retrievers}, asked in order. */
  static CredentialRetriever chain(List<CredentialRetriever> retrievers) {
    List<CredentialRetriever> copy = List.copyOf(retrievers);
    return host -> {
      for (CredentialRetriever r : copy) {
        Optional<Credential> c = r.retrieve(host);
        if (c.isPresent()) {
          return c;
        }
      }
      return Optional.empty();
    };
  }

  /**
   * Credentials given on the command line as {@code user[:password]}, for every registry. A missing
   * password is the empty string.
   */
  static CredentialRetriever explicit(String userColonPassword) {
    int colon = userColonPassword.indexOf(':');
    Credential c =
        colon < 0
            ? new Credential(userColonPassword, "")
            : new Credential(
                userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
    return host -> Optional.of(c);
  }
}
