package dev.finch.soci.daemon;

import java.util.Map;

/**
 * Renders a {@link DaemonConfig} as TOML that {@link DaemonConfigLoader} reads back to an equal
 * record ({@code soci-snapshotter-grpc config dump|default}).
 */
public final class DaemonConfigWriter {
  private DaemonConfigWriter() {}

  /** The whole config, every supported key spelled out. */
  public static String render(DaemonConfig c) {
    StringBuilder t = new StringBuilder();
    t.append("metrics_address = ").append(q(c.metrics().address())).append('\n');
    t.append("metrics_network = ").append(q(c.metrics().network())).append('\n');
    t.append("no_prometheus = ").append(c.metrics().noPrometheus()).append('\n');
    t.append("mount_timeout_sec = ").append(c.mountTimeoutSec()).append('\n');
    t.append("\n[pull_modes]\n");
    t.append("  [pull_modes.soci_v1]\n    enable = ").append(c.pullModes().sociV1Enable()).append('\n');
    t.append("  [pull_modes.soci_v2]\n    enable = ").append(c.pullModes().sociV2Enable()).append('\n');
    t.append("\n[blob]\n");
    t.append("  fetching_timeout_sec = ").append(c.blob().fetchingTimeoutSec()).append('\n');
    t.append("  max_retries = ").append(c.blob().maxRetries()).append('\n');
    t.append("\n[background_fetch]\n");
    t.append("  disable = ").append(c.backgroundFetch().disable()).append('\n');
    t.append("  fetch_period_msec = ").append(c.backgroundFetch().fetchPeriodMsec()).append('\n');
    t.append("  silence_period_msec = ").append(c.backgroundFetch().silencePeriodMsec()).append('\n');
    t.append("  max_queue_size = ").append(c.backgroundFetch().maxQueueSize()).append('\n');
    t.append("\n[snapshotter]\n");
    t.append("  allow_invalid_mounts_on_restart = ")
        .append(c.snapshotter().allowInvalidMountsOnRestart()).append('\n');
    t.append("\n[content_store]\n");
    t.append("  containerd_address = ").append(q(c.contentStore().containerdAddress())).append('\n');
    t.append("\n[cache]\n");
    t.append("  max_bytes = ").append(c.cache().maxBytes()).append('\n');
    t.append("\n[prefetch]\n");
    t.append("  enable = ").append(c.prefetch().enable()).append('\n');
    for (Map.Entry<String, DaemonConfig.Host> h : c.resolver().hosts().entrySet()) {
      t.append("\n[resolver.host.").append(q(h.getKey())).append("]\n");
      t.append("  mirrors = [");
      String sep = "";
      for (DaemonConfig.Mirror m : h.getValue().mirrors()) {
        t.append(sep).append("{host = ").append(q(m.host()))
            .append(", insecure = ").append(m.insecure())
            .append(", request_timeout_sec = ").append(m.requestTimeoutSec()).append('}');
        sep = ", ";
      }
      t.append("]\n");
    }
    return t.toString();
  }

  private static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (ch < 0x20) {
            b.append(String.format("\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
