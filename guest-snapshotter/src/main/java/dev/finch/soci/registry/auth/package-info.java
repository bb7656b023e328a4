/**
 * Registry authentication: credentials come from a chain of {@link
 * dev.finch.soci.registry.auth.CredentialRetriever}s (the {@code --user} flag, then docker's {@code
 * config.json} with its credential helpers, run through the {@link dev.finch.process.CommandRunner}
 * seam), and {@link dev.finch.soci.registry.auth.Authorizer} answers Basic and Bearer challenges,
 * caching tokens per repository scope.
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">Token
 *     authentication</a>
 */
package dev.finch.soci.registry.auth;
