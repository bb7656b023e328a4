package dev.finch.soci.spi;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What the daemon hands a plug-in when it creates it.
 *
 * @param config the keys of the daemon's configuration the plug-in honours
 * @param root the daemon root ({@code --root}); the plug-in owns everything under it except {@code
 *     snapshotter/}
 * @param events where to report {@code remote-snapshot-prepared} and similar events
 * @param metrics the registry the daemon's {@code /metrics} endpoint serves; the plug-in registers
 *     its collectors here when it is created
 */
public record PluginContext(
    PluginConfig config, Path root, EventSink events, PrometheusRegistry metrics) {
  public PluginContext {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(metrics, "metrics");
  }
}
