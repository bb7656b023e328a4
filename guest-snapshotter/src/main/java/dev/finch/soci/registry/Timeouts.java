package dev.finch.soci.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a registry may take, as the reference daemon's {@code [http]} and {@code [blob]} keys
 * set it. Every bound holds for every exchange, so a registry that stops answering costs at most
 * the call's budget, never a hang.
 *
 * @param dial connecting a TCP (and TLS) connection ({@code [http] DialTimeoutMsec})
 * @param responseHeader from sending the request to the answer's headers ({@code [http]
 *     ResponseHeaderTimeoutMsec})
 * @param noProgress the longest wait for the next body bytes: a body must keep arriving ({@code
 *     [blob] no_progress_timeout_msec}, our own key)
 * @param request the budget of one call, retries and their waits included ({@code [http]
 *     RequestTimeoutMsec}); a streamed whole-blob body is bounded only by {@code noProgress}, as
 *     its length, not the registry, decides how long it takes
 * @param blobRead the budget of one call that reads a byte range of a layer for a container read,
 *     retries included ({@code [blob] fetching_timeout_sec})
 */
public record Timeouts(
    Duration dial,
    Duration responseHeader,
    Duration noProgress,
    Duration request,
    Duration blobRead) {

  /** The reference's defaults: 3 s to connect, 3 s to headers, 300 s a call; 10 s without bytes. */
  public static final Timeouts DEFAULT =
      new Timeouts(
          Duration.ofSeconds(3),
          Duration.ofSeconds(3),
          Duration.ofSeconds(10),
          Duration.ofSeconds(300),
          Duration.ofSeconds(300));

  public Timeouts {
    for (Duration d : new Duration[] {dial, responseHeader, noProgress, request, blobRead}) {
      Objects.requireNonNull(d, "timeout");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive: " + d);
      }
    }
  }

  /** A short human form, {@code 10 s} or {@code 250 ms}. */
  static String text(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }
}
