package dev.finch.soci.registry;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded retries with exponential backoff and jitter, as the reference's go-retryablehttp policy:
 * connection and I/O errors, 429 and 5xx except 501 are retried. A 429 or 503 that says when to
 * come back ({@code Retry-After}) is not retried sooner.
 *
 * @param maxRetries retries after the first attempt
 * @param minWait the first wait
 * @param maxWait the cap of a single wait
 */
public record RetryPolicy(int maxRetries, Duration minWait, Duration maxWait) {
  /** The reference's defaults: 8 retries, 30 ms, 300 s. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(8, Duration.ofMillis(30), Duration.ofSeconds(300));

  public RetryPolicy {
    if (maxRetries < 0 || minWait.isNegative() || maxWait.compareTo(minWait) < 0) {
      throw new IllegalArgumentException(
          "invalid retry policy " + maxRetries + "/" + minWait + "/" + maxWait);
    }
  }

  /** True for statuses worth another try: 429 and 5xx other than 501 Not Implemented. */
  public static boolean retryableStatus(int status) {
    return status == 429 || (status >= 500 && status != 501);
  }

  /**
   * The wait before retry number {@code attempt} (0-based): min * 2^attempt, capped, plus [0, d/8).
   */
  public Duration backoff(int attempt) {
    long min = minWait.toMillis();
    long cap = maxWait.toMillis();
    long d = attempt >= 40 ? cap : Math.min(cap, min * (1L << attempt));
    long jitter = d / 8 > 0 ? ThreadLocalRandom.current().nextLong(d / 8) : 0;
    return Duration.ofMillis(d + jitter);
  }

  /**
   * How long a 429 or 503 answer asks to wait ({@code Retry-After}: seconds, or an HTTP date),
   * capped at {@code cap}; null when the status is another, the header is absent or unreadable.
   */
  public static Duration retryAfter(int status, HttpHeaders headers, Duration cap) {
    if (status != 429 && status != 503) {
      return null;
    }
    String v = headers.firstValue("Retry-After").map(String::strip).orElse("");
    return v.isEmpty() ? null : retryAfter(v, Instant.now(), cap);
  }

  /** {@link #retryAfter(int, HttpHeaders, Duration)} of a header value, as of {@code now}. */
  static Duration retryAfter(String value, Instant now, Duration cap) {
    Duration d;
    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      d = value.length() > 9 ? cap : Duration.ofSeconds(Long.parseLong(value));
    } else {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        d = Duration.between(now, at);
      } catch (DateTimeParseException e) {
        return null;
      }
      if (d.isNegative()) {
        d = Duration.ZERO;
      }
    }
    return d.compareTo(cap) > 0 ? cap : d;
  }
}
