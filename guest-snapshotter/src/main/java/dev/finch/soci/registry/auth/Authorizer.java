package dev.finch.soci.registry.auth;

import dev.finch.soci.oci.Json;
import dev.finch.soci.registry.json.TokenResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers registry auth challenges for one registry host. It remembers the host's challenge so
 * later requests authenticate up front, caches Bearer tokens per scope until they expire, and asks
 * the credential chain once, lazily.
 *
 * <p>Scopes are {@code repository:<name>:pull} or {@code repository:<name>:pull,push}.
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">Token
 *     authentication</a>
 */
public final class Authorizer {
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
  private static final String CLIENT_ID = "soci-snapshotter-java";

  /** A token and when to stop using it. */
  record CachedToken(String token, Instant expires) {}

  private final String credentialHost;
  private final CredentialRetriever credentials;
  private final HttpClient http;
  private final String userAgent;
  private final Duration timeout;
  private final ConcurrentHashMap<String, CachedToken> tokens = new ConcurrentHashMap<>();
  private volatile AuthChallenge challenge;
  private volatile Optional<Credential> credential;

  /**
   * @param credentialHost the registry as references name it (key for credential lookup)
   * @param credentials where credentials come from
   * @param http client used to talk to the token server
   */
  public Authorizer(
      String credentialHost,
      CredentialRetriever credentials,
      HttpClient http,
      String userAgent,
      Duration timeout) {
    this.credentialHost = credentialHost;
    this.credentials = credentials;
    this.http = http;
    this.userAgent = userAgent;
    this.timeout = timeout;
  }

  /** The scope string for a repository: pull, or pull and push. */
  public static String scope(String repository, boolean push) {
    return "repository:" + repository + ":" + (push ? "pull,push" : "pull");
  }

  /** True when the credential chain has something for this host. */
  public boolean hasCredentials() {
    return credential().isPresent();
  }

  /**
   * The {@code Authorization} header to send up front, once the host has challenged us: Basic with
   * our credentials, or a (possibly freshly fetched) Bearer token for {@code scope}.
   *
   * @throws IOException when the token server cannot be reached
   * @throws AuthException when the token server refuses
   */
  public Optional<String> authorization(String scope) throws IOException {
    AuthChallenge c = challenge;
    if (c == null) {
      return Optional.empty();
    }
    if (c.isBasic()) {
      return credential().map(Credential::basicHeader);
    }
    CachedToken t = tokens.get(scope);
    if (t == null || Instant.now().isAfter(t.expires())) {
      t = fetchToken(c, scope);
      tokens.put(scope, t);
    }
    return Optional.of("Bearer " + t.token());
  }

  /**
   * Handles a 401: remembers the challenge, drops the cached token for {@code scope} and fetches a
   * new one. Returns true when the request is worth sending again, false when we have nothing new
   * to offer (Basic without credentials, or Basic credentials that were already sent).
   */
  public boolean onChallenge(List<AuthChallenge> offered, String scope) throws IOException {
    return answer(offered, scope, false);
  }

  /**
   * Handles an answer that says our credentials expired without being a 401 (ECR's 403 "Your
   * authorization token has expired", answered with the challenge ECR uses): forgets the cached
   * credential and tokens, so the credential chain is asked again (a helper such as
   * docker-credential-ecr-login hands out a fresh token), and takes {@code offered} as the host's
   * challenge. Returns true when there is a credential to try.
   */
  public boolean onExpiredCredential(List<AuthChallenge> offered, String scope) throws IOException {
    credential = null;
    tokens.clear();
    return answer(offered, scope, true);
  }

  private boolean answer(List<AuthChallenge> offered, String scope, boolean renewed)
      throws IOException {
    AuthChallenge bearer = null;
    AuthChallenge basic = null;
    for (AuthChallenge c : offered) {
      if (c.isBearer() && c.param("realm") != null && bearer == null) {
        bearer = c;
      } else if (c.isBasic() && basic == null) {
        basic = c;
      }
    }
    AuthChallenge previous = challenge;
    if (bearer != null) {
      challenge = bearer;
      tokens.remove(scope);
      tokens.put(scope, fetchToken(bearer, scope));
      return true;
    }
    if (basic != null && credential().isPresent()) {
      challenge = basic;
      return renewed || previous == null || !previous.isBasic();
    }
    return false;
  }

  private Optional<Credential> credential() {
    Optional<Credential> c = credential;
    if (c == null) {
      c = credentials.retrieve(credentialHost);
      credential = c;
    }
    return c;
  }

  private CachedToken fetchToken(AuthChallenge c, String scope) throws IOException {
    Set<String> scopes = new LinkedHashSet<>();
    scopes.add(scope);
    if (c.param("scope") != null && !c.param("scope").isBlank()) {
      scopes.add(c.param("scope"));
    }
    String service = c.param("service");
    Optional<Credential> cred = credential();
    HttpRequest request;
    URI realm = realmOf(c);
    if (cred.isPresent() && cred.get().isIdentityToken()) {
      List<String> form = new ArrayList<>();
      form.add("grant_type=refresh_token");
      form.add("client_id=" + enc(CLIENT_ID));
      form.add("refresh_token=" + enc(cred.get().secret()));
      if (service != null) {
        form.add("service=" + enc(service));
      }
      form.add("scope=" + enc(String.join(" ", scopes)));
      request =
          base(realm)
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(String.join("&", form)))
              .build();
    } else {
      List<String> query = new ArrayList<>();
      if (service != null) {
        query.add("service=" + enc(service));
      }
      for (String s : scopes) {
        query.add("scope=" + enc(s));
      }
      String sep = realm.getRawQuery() == null ? "?" : "&";
      HttpRequest.Builder b =
          base(URI.create(realm + (query.isEmpty() ? "" : sep + String.join("&", query))));
      cred.ifPresent(k -> b.header("Authorization", k.basicHeader()));
      request = b.GET().build();
    }
    HttpResponse<byte[]> response;
    // The request's own timeout ends at the headers; the whole exchange, body included, gets the
    // same bound, so a token server that stalls mid-body cannot hang the caller.
    var pending = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    try {
      response = pending.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching a token", e);
    } catch (java.util.concurrent.TimeoutException e) {
      pending.cancel(true);
      throw new java.net.http.HttpTimeoutException(
          "token server "
              + realm.getHost()
              + " did not answer within "
              + timeout.toMillis()
              + " ms");
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException(String.valueOf(e.getCause()), e.getCause());
    }
    if (response.statusCode() != 200) {
      throw new AuthException(
          "token server " + realm.getHost() + " answered HTTP " + response.statusCode(),
          response.statusCode());
    }
    return tokenFrom(realm.getHost(), response.body());
  }

  /**
   * The token server of a Bearer challenge: its {@code realm}, which must be an absolute http or
   * https URL (it comes from the registry, so it is checked before anything is sent to it).
   */
  static URI realmOf(AuthChallenge c) {
    String realm = c.param("realm");
    URI uri;
    try {
      uri = new URI(realm == null ? "" : realm);
    } catch (URISyntaxException e) {
      throw new AuthException("the registry's token realm is not a URL: " + shown(realm), 0);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
      throw new AuthException(
          "the registry's token realm is not an http(s) URL with a host: " + shown(realm), 0);
    }
    return uri;
  }

  /** Reads a token server's 200 answer; {@code host} names the server in errors. */
  static CachedToken tokenFrom(String host, byte[] body) {
    TokenResponse token;
    try {
      token = Json.read(body, TokenResponse.class);
    } catch (IOException e) {
      throw new AuthException("token server " + host + " sent unreadable JSON", 0);
    }
    if (token == null || token.effectiveToken() == null) {
      throw new AuthException("token server " + host + " sent no token", 0);
    }
    Duration life =
        token.expiresIn() == null || token.expiresIn() <= 0
            ? DEFAULT_TOKEN_LIFETIME
            : Duration.ofSeconds(token.expiresIn());
    // Renew a little early so a token does not expire in flight.
    return new CachedToken(
        token.effectiveToken(),
        Instant.now().plus(life).minusSeconds(Math.min(10, life.toSeconds() / 2)));
  }

  private static String shown(String s) {
    if (s == null) {
      return "(none)";
    }
    String one = s.replaceAll("\\p{Cntrl}", "?");
    return one.length() > 100 ? one.substring(0, 100) + "..." : one;
  }

  private HttpRequest.Builder base(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", userAgent);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
