package dev.finch.soci.registry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded retries with exponential backoff and jitter, as the reference's go-retryablehttp policy:
 * connection and I/O errors, 429 and 5xx except 501 are retried.
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
}
