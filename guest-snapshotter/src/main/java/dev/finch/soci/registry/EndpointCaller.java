package dev.finch.soci.registry;

import dev.finch.soci.registry.auth.AuthChallenge;
import dev.finch.soci.registry.auth.AuthException;
import dev.finch.soci.registry.auth.Authorizer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * Sends {@link RegistryEndpoint}s to one registry host. {@link #call} is the single place where
 * authentication, retries, redirects and the https-to-http fallback for loopback hosts happen.
 *
 * <p>Authentication is renewed at most once per call: on a 401, or on an answer {@link ExpiredAuth}
 * recognizes as expired credentials (ECR's 403). A storage URL a blob redirected to whose signature
 * expired (S3's 400 ExpiredToken) is fetched again through the registry, also once.
 *
 * <p>Scheme: https, unless the host is in the caller's plain-http set. A loopback host
 * (127.0.0.0/8, localhost, [::1]) that answers https with a non-TLS reply is switched to http for
 * the rest of this client's life; a certificate failure is never downgraded.
 */
final class EndpointCaller {
  private static final int MAX_REDIRECTS = 10;

  private final String registry;
  private final String endpointHost;
  private final HttpClient http;
  private final Authorizer authorizer;
  private final RetryPolicy callRetry;
  private final RetryPolicy blobRetry;
  private final String userAgent;
  private final Timeouts timeouts;
  private volatile URI base;
  private volatile boolean httpsWorked;

  EndpointCaller(
      String registry,
      String endpointHost,
      boolean plainHttp,
      HttpClient http,
      Authorizer authorizer,
      RetryPolicy retry,
      RetryPolicy blobRetry,
      String userAgent,
      Timeouts timeouts) {
    this.registry = registry;
    this.endpointHost = endpointHost;
    this.http = http;
    this.authorizer = authorizer;
    this.callRetry = retry;
    this.blobRetry = blobRetry;
    this.userAgent = userAgent;
    this.timeouts = timeouts;
    this.base = URI.create((plainHttp ? "http://" : "https://") + endpointHost);
  }

  /** Shuts the HTTP client down (its selector thread ends). */
  void close() {
    http.shutdownNow();
    try {
      http.awaitTermination(java.time.Duration.ofSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code http://host:port} or {@code https://host:port}, as currently used. */
  URI base() {
    return base;
  }

  String registry() {
    return registry;
  }

  Timeouts timeouts() {
    return timeouts;
  }

  /**
   * Runs {@code endpoint} to its final answer, authenticating, retrying and following redirects,
   * all within the call's budget ({@link Timeouts#blobRead} for a layer range read, else {@link
   * Timeouts#request}): each attempt waits for headers at most {@link Timeouts#responseHeader}
   * (requests without a body: a body's upload time is the registry's to take) and for body bytes at
   * most {@link Timeouts#noProgress}, and a retry's wait that would end past the budget is not
   * taken. A 429 or 503 with {@code Retry-After} waits at least that long.
   */
  <T> T call(RegistryEndpoint<T> endpoint) {
    String action = endpoint.actionDescription();
    String scope = Authorizer.scope(endpoint.repository(), endpoint.push());
    boolean layerRead = endpoint instanceof BlobRangeEndpoint<?>;
    Duration budget = layerRead ? timeouts.blobRead() : timeouts.request();
    RetryPolicy retry = layerRead ? blobRetry : callRetry;
    long started = System.nanoTime();
    long deadline = started + budget.toNanos();
    int attempt = 0;
    int redirects = 0;
    boolean reauthenticated = false;
    boolean refreshedRedirect = false;
    URI redirected = null;
    while (true) {
      URI current = base;
      URI uri = redirected != null ? redirected : endpoint.uri(current);
      boolean ours = sameOrigin(uri, current);
      HttpResponse<InputStream> response;
      TimedBody[] body = new TimedBody[1];
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw outOfTime(action, budget, attempt, null);
        }
        boolean uploads = !endpoint.method().equals("GET") && !endpoint.method().equals("HEAD");
        Duration headers =
            uploads ? Duration.ofNanos(left) : timeouts.dial().plus(timeouts.responseHeader());
        HttpRequest.Builder b =
            HttpRequest.newBuilder(uri)
                .timeout(min(headers, Duration.ofNanos(left)))
                .method(endpoint.method(), endpoint.body())
                .header("User-Agent", userAgent);
        if (!endpoint.accept().isEmpty()) {
          b.header("Accept", String.join(", ", endpoint.accept()));
        }
        for (Map.Entry<String, String> h : endpoint.headers().entrySet()) {
          b.header(h.getKey(), h.getValue());
        }
        if (ours) {
          authorizer.authorization(scope).ifPresent(v -> b.header("Authorization", v));
        }
        response =
            http.send(
                b.build(),
                TimedBody.handler(timeouts.noProgress().toNanos(), deadline, x -> body[0] = x));
      } catch (AuthException e) {
        throw new RegistryException.Unauthorized(
            action, registry, authorizer.hasCredentials(), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException.Unreachable(action, registry, "interrupted", e);
      } catch (IOException e) {
        if (ours
            && current.getScheme().equals("https")
            && !httpsWorked
            && isLoopback(endpointHost)
            && isPlainHttpReply(e)) {
          base = URI.create("http://" + endpointHost);
          continue;
        }
        if (attempt >= retry.maxRetries()) {
          throw new RegistryException.Unreachable(action, registry, describe(e), e);
        }
        if (!sleepWithin(retry.backoff(attempt++), deadline, action)) {
          throw outOfTime(action, budget, attempt, e);
        }
        continue;
      }
      if (current.getScheme().equals("https") && ours) {
        httpsWorked = true;
      }
      int status = response.statusCode();
      byte[] head = new byte[0];
      if ((status == 403 && ours) || (status == 400 && !ours)) {
        Responses.Peeked p = Responses.peek(response, ExpiredAuth.PEEK);
        head = p.head();
        response = p.response();
      }
      boolean expired = ours && ExpiredAuth.isEcrTokenExpired(status, head);
      if ((status == 401 || expired) && ours) {
        Responses.discard(response);
        boolean renewedBefore = reauthenticated;
        if (!reauthenticated) {
          reauthenticated = true;
          boolean again;
          try {
            again =
                expired
                    ? authorizer.onExpiredCredential(
                        List.of(ExpiredAuth.ecrChallenge(endpointHost)), scope)
                    : authorizer.onChallenge(
                        AuthChallenge.parseAll(response.headers().allValues("WWW-Authenticate")),
                        scope);
          } catch (AuthException e) {
            throw new RegistryException.Unauthorized(
                action, registry, authorizer.hasCredentials(), e.getMessage());
          } catch (IOException e) {
            throw new RegistryException.Unreachable(
                action, registry, "token server: " + describe(e), e);
          }
          if (again) {
            continue;
          }
        }
        if (expired) {
          throw new RegistryException.Denied(
              action,
              Responses.errorDetail(head)
                  + (renewedBefore
                      ? " (still expired after authenticating again)"
                      : " (no credentials to renew)"));
        }
        throw new RegistryException.Unauthorized(action, registry, authorizer.hasCredentials(), "");
      }
      if (!ours && ExpiredAuth.isExpiredStorageToken(status, Responses.mediaType(response), head)) {
        Responses.discard(response);
        // A pre-signed storage URL outlived its token: ask the registry again for a fresh redirect,
        // once. A storage URL the endpoint itself names (a remembered one) is the caller's to
        // renew.
        if (redirected != null && !refreshedRedirect) {
          refreshedRedirect = true;
          redirected = null;
          redirects = 0;
          continue;
        }
        throw new RegistryException.Denied(
            action,
            status,
            "signed storage URL at "
                + uri.getHost()
                + " expired ("
                + ExpiredAuth.storageDetail(head)
                + ")"
                + (refreshedRedirect ? ", again after a fresh redirect" : ""));
      }
      if (endpoint.followRedirects() && isRedirect(status)) {
        String location = response.headers().firstValue("Location").orElse(null);
        Responses.discard(response);
        if (location == null || ++redirects > MAX_REDIRECTS) {
          throw new RegistryException.UnexpectedResponse(
              action,
              status,
              location == null ? "redirect without Location" : "too many redirects");
        }
        redirected = uri.resolve(location);
        continue;
      }
      if (RetryPolicy.retryableStatus(status) && attempt < retry.maxRetries()) {
        Duration wait = retry.backoff(attempt);
        Duration asked = RetryPolicy.retryAfter(status, response.headers(), retry.maxWait());
        if (asked != null && asked.compareTo(wait) > 0) {
          wait = asked;
        }
        // A wait past the budget is not taken: the answer in hand is the call's answer.
        if (System.nanoTime() + wait.toNanos() < deadline) {
          Responses.discard(response);
          attempt++;
          sleepWithin(wait, deadline, action);
          continue;
        }
      }
      try {
        T result = endpoint.handle(response);
        if (body[0] != null) {
          body[0].clearDeadline(); // a streamed body (a whole blob) is read at the caller's pace
        }
        return result;
      } catch (IOException e) {
        // The body broke off or stalled mid-read; endpoints read bodies they buffer inside
        // handle(), so a retry repeats the whole exchange.
        if (body[0] != null) {
          body[0].close();
        }
        if (attempt >= retry.maxRetries()) {
          throw new RegistryException.Unreachable(
              action, registry, "reading response: " + describe(e) + tries(attempt, started), e);
        }
        if (!sleepWithin(retry.backoff(attempt++), deadline, action)) {
          throw outOfTime(action, budget, attempt, e);
        }
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String tries(int retries, long startedNanos) {
    return String.format(
        " (%d attempt%s in %.1f s)",
        retries + 1, retries == 0 ? "" : "s", (System.nanoTime() - startedNanos) / 1e9);
  }

  private RegistryException outOfTime(String action, Duration budget, int retries, Throwable last) {
    return new RegistryException.Unreachable(
        action,
        registry,
        "timed out after "
            + Timeouts.text(budget)
            + " and "
            + (retries + 1)
            + " attempt"
            + (retries == 0 ? "" : "s")
            + (last == null ? "" : ", the last: " + describe(last)),
        last);
  }

  /**
   * Sleeps {@code d}, or answers false at once when the sleep would end at or past {@code
   * deadline}.
   */
  private boolean sleepWithin(Duration d, long deadline, String action) {
    if (System.nanoTime() + d.toNanos() >= deadline) {
      return false;
    }
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException.Unreachable(action, registry, "interrupted", e);
    }
    return true;
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getRawAuthority().equalsIgnoreCase(b.getRawAuthority());
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** 127.0.0.0/8, localhost and [::1], with or without a port. */
  static boolean isLoopback(String hostPort) {
    String h = hostPort.toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      return h.startsWith("[::1]");
    }
    int colon = h.indexOf(':');
    String host = colon < 0 ? h : h.substring(0, colon);
    return host.equals("localhost") || host.startsWith("127.");
  }

  // An https request to a plain-http server fails with an SSLException ("Unsupported or
  // unrecognized
  // SSL message"), never with a certificate problem.
  private static boolean isPlainHttpReply(Throwable e) {
    boolean ssl = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateException) {
        return false;
      }
      ssl |= t instanceof SSLException;
    }
    return ssl;
  }

  /** A short reason for a transport failure: "connection refused", "connection timed out", ... */
  static String describe(Throwable e) {
    // A failed DNS lookup arrives as a ConnectException caused by UnresolvedAddressException.
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return "unknown host";
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpConnectTimeoutException) {
        return "connection timed out";
      }
      if (t instanceof HttpTimeoutException) {
        return "no answer in time";
      }
      if (t instanceof TimedBody.StalledException) {
        return t.getMessage();
      }
      if (t instanceof ConnectException) {
        String m = t.getMessage();
        return m == null || m.isBlank() || m.equals("Connection refused")
            ? "connection refused"
            : m;
      }
      if (t instanceof SSLException) {
        String m = String.valueOf(t.getMessage());
        return m.contains("PKIX") ? "TLS error: certificate not trusted" : "TLS error: " + m;
      }
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
