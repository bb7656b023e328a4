package dev.finch.soci.daemon;

import java.io.IOException;

/**
 * Something that contributes to the daemon's Prometheus endpoint. A {@link
 * dev.finch.soci.snapshot.RemotePreparer} returned by the {@link RemotePreparerFactory} that also
 * implements this interface has its metrics served next to the daemon's own.
 */
@FunctionalInterface
public interface MetricsSource {
  /**
   * Appends metrics in the Prometheus text exposition format 0.0.4 ({@code # HELP}, {@code #
   * TYPE} and sample lines, each ending in a newline).
   *
   * @see <a href="https://prometheus.io/docs/instrumenting/exposition_formats/">exposition formats</a>
   */
  void writePrometheus(Appendable out) throws IOException;
}
