package dev.finch.soci.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders a {@link DaemonConfig} as TOML that {@link DaemonConfigLoader} reads back to an equal
 * record ({@code soci-snapshotter-grpc config dump|default}), every supported key spelled out, in
 * the order of the shipped {@code config.toml}.
 */
public final class DaemonConfigWriter {
  private DaemonConfigWriter() {}

  private static final TomlMapper TOML = new TomlMapper();
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  /** The whole config. */
  public static String render(DaemonConfig c) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("metrics_address", c.metrics().address());
    root.put("metrics_network", c.metrics().network());
    root.put("no_prometheus", c.metrics().noPrometheus());
    root.put("mount_timeout_sec", c.mountTimeoutSec());
    ObjectNode pull = root.putObject("pull_modes");
    pull.putObject("soci_v1").put("enable", c.pullModes().sociV1Enable());
    pull.putObject("soci_v2").put("enable", c.pullModes().sociV2Enable());
    root.putObject("http")
        .put("MaxRetries", c.http().maxRetries())
        .put("MinWaitMsec", c.http().minWaitMsec())
        .put("MaxWaitMsec", c.http().maxWaitMsec())
        .put("DialTimeoutMsec", c.http().dialTimeoutMsec())
        .put("ResponseHeaderTimeoutMsec", c.http().responseHeaderTimeoutMsec())
        .put("RequestTimeoutMsec", c.http().requestTimeoutMsec())
        .put("NoProgressTimeoutMsec", c.http().noProgressTimeoutMsec());
    root.putObject("blob")
        .put("fetching_timeout_sec", c.blob().fetchingTimeoutSec())
        .put("max_retries", c.blob().maxRetries())
        .put("min_wait_msec", c.blob().minWaitMsec())
        .put("max_wait_msec", c.blob().maxWaitMsec());
    root.putObject("background_fetch")
        .put("disable", c.backgroundFetch().disable())
        .put("fetch_period_msec", c.backgroundFetch().fetchPeriodMsec())
        .put("silence_period_msec", c.backgroundFetch().silencePeriodMsec())
        .put("max_queue_size", c.backgroundFetch().maxQueueSize());
    root.putObject("snapshotter")
        .put("allow_invalid_mounts_on_restart", c.snapshotter().allowInvalidMountsOnRestart());
    root.putObject("content_store").put("containerd_address", c.contentStore().containerdAddress());
    root.putObject("cache")
        .put("max_bytes", c.cache().maxBytes())
        .put("native_handover", c.cache().nativeHandover());
    root.putObject("prefetch").put("enable", c.prefetch().enable());
    if (!c.resolver().hosts().isEmpty()) {
      ObjectNode hosts = root.putObject("resolver").putObject("host");
      for (Map.Entry<String, DaemonConfig.Host> h : c.resolver().hosts().entrySet()) {
        ArrayNode mirrors = hosts.putObject(h.getKey()).putArray("mirrors");
        for (DaemonConfig.Mirror m : h.getValue().mirrors()) {
          mirrors
              .addObject()
              .put("host", m.host())
              .put("insecure", m.insecure())
              .put("request_timeout_sec", m.requestTimeoutSec());
        }
      }
    }
    StringBuilder out = new StringBuilder();
    table(out, "", root);
    return out.toString();
  }

  /**
   * Writes {@code table} under a {@code [header]}. Jackson's generator writes nested tables as
   * dotted keys of the root ({@code blob.max_retries = 8}); a header per table reads like the
   * shipped config. Sub-tables get their own header when all their names are bare keys (so the
   * header needs no quoting of ours); otherwise, as for the hosts of {@code [resolver.host]},
   * Jackson writes them with quoted dotted keys.
   */
  private static void table(StringBuilder out, String header, ObjectNode table) {
    List<String> subTables = new ArrayList<>();
    boolean split = true;
    for (Map.Entry<String, JsonNode> e : table.properties()) {
      if (e.getValue().isObject()) {
        subTables.add(e.getKey());
        split &= BARE_KEY.matcher(e.getKey()).matches();
      }
    }
    ObjectNode here = table.objectNode();
    for (Map.Entry<String, JsonNode> e : table.properties()) {
      if (!split || !e.getValue().isObject()) {
        here.set(e.getKey(), e.getValue());
      }
    }
    if (!here.isEmpty()) {
      if (!header.isEmpty()) {
        out.append(out.isEmpty() ? "" : "\n").append('[').append(header).append("]\n");
      }
      out.append(write(here));
    }
    if (split) {
      for (String name : subTables) {
        table(out, header.isEmpty() ? name : header + "." + name, (ObjectNode) table.get(name));
      }
    }
  }

  private static String write(ObjectNode table) {
    try {
      return TOML.writeValueAsString(table);
    } catch (JsonProcessingException e) {
      // a tree of strings, booleans, integers, tables and arrays always has a TOML form
      throw new IllegalStateException("cannot write config as TOML: " + e.getOriginalMessage(), e);
    }
  }
}
