package dev.finch.soci.daemon;

import dev.finch.soci.daemon.toml.TomlException;
import dev.finch.soci.daemon.toml.TomlParser;
import dev.finch.soci.daemon.toml.TomlReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads {@code config.toml} into a {@link DaemonConfig}. Absent keys take the defaults. A key this
 * implementation does not honour is never dropped silently: each one goes to the warning sink with
 * its line and the reason ({@link ReferenceKeys}), so a reference config file still loads and the
 * user sees what does not apply; wrong types and bad values fail with {@code file:line: key: problem}.
 */
public final class DaemonConfigLoader {
  private DaemonConfigLoader() {}

  /**
   * Loads {@code file}. A missing file is an error only when {@code explicit} (the user named it);
   * the missing default file means built-in defaults, as in the reference.
   */
  public static DaemonConfig load(Path file, boolean explicit, Consumer<String> warnings)
      throws IOException, TomlException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      if (explicit) {
        throw new NoSuchFileException(file.toString(), null, "config file does not exist");
      }
      return DaemonConfig.defaults();
    }
    return parse(file.toString(), text, warnings);
  }

  /** Parses a document; {@code name} is used in error messages. */
  public static DaemonConfig parse(String name, String text, Consumer<String> warnings) throws TomlException {
    TomlReader r = TomlReader.of(name, TomlParser.parse(name, text));
    DaemonConfig d = DaemonConfig.defaults();
    String metricsAddress = r.string("metrics_address", d.metrics().address());
    String network =
        r.oneOf("metrics_network", d.metrics().network(), DaemonConfig.Metrics.TCP, DaemonConfig.Metrics.UNIX);
    boolean noPrometheus = r.bool("no_prometheus", d.metrics().noPrometheus());
    DaemonConfig.Metrics metrics = new DaemonConfig.Metrics(metricsAddress, network, noPrometheus);
    long mountTimeout = r.integer("mount_timeout_sec", d.mountTimeoutSec(), 1, Integer.MAX_VALUE);

    TomlReader pull = r.table("pull_modes");
    boolean v1 = pull.table("soci_v1").bool("enable", d.pullModes().sociV1Enable());
    boolean v2 = pull.table("soci_v2").bool("enable", d.pullModes().sociV2Enable());

    TomlReader blob = r.table("blob");
    long fetchTimeout = blob.integer("fetching_timeout_sec", d.blob().fetchingTimeoutSec(), 1, Integer.MAX_VALUE);
    long retries = blob.integer("max_retries", d.blob().maxRetries(), 0, 100);

    TomlReader bg = r.table("background_fetch");
    var bgd = d.backgroundFetch();
    DaemonConfig.BackgroundFetch background = new DaemonConfig.BackgroundFetch(
        bg.bool("disable", bgd.disable()),
        bg.integer("fetch_period_msec", bgd.fetchPeriodMsec(), 1, Integer.MAX_VALUE),
        bg.integer("silence_period_msec", bgd.silencePeriodMsec(), 0, Integer.MAX_VALUE),
        bg.integer("max_queue_size", bgd.maxQueueSize(), -1, Integer.MAX_VALUE));

    boolean allowInvalid = r.table("snapshotter")
        .bool("allow_invalid_mounts_on_restart", d.snapshotter().allowInvalidMountsOnRestart());
    String containerd = r.table("content_store")
        .string("containerd_address", d.contentStore().containerdAddress());

    Map<String, DaemonConfig.Host> hosts = new LinkedHashMap<>();
    TomlReader hostTable = r.table("resolver").table("host");
    for (String host : hostTable.keys()) {
      TomlReader h = hostTable.table(host);
      List<DaemonConfig.Mirror> mirrors = new ArrayList<>();
      h.tables("mirrors", m -> {
        String mh = m.string("host", "");
        if (mh.isBlank()) {
          throw new TomlException(name, m.line(), m.prefix() + ".host: must not be empty");
        }
        mirrors.add(new DaemonConfig.Mirror(
            mh, m.bool("insecure", false), m.integer("request_timeout_sec", 0, Integer.MIN_VALUE, Integer.MAX_VALUE)));
      });
      hosts.put(host, new DaemonConfig.Host(mirrors));
    }

    long maxBytes = r.table("cache").integer("max_bytes", d.cache().maxBytes(), 0, Long.MAX_VALUE);
    boolean prefetch = r.table("prefetch").bool("enable", d.prefetch().enable());

    r.unknownKeys((where, key) -> warnings.accept(where + ": " + key + ": " + ReferenceKeys.whyIgnored(key)));
    return new DaemonConfig(
        metrics, mountTimeout, new DaemonConfig.PullModes(v1, v2),
        new DaemonConfig.Blob(fetchTimeout, retries), background,
        new DaemonConfig.SnapshotterSection(allowInvalid),
        new DaemonConfig.ContentStoreSection(containerd),
        new DaemonConfig.Resolver(hosts), new DaemonConfig.Cache(maxBytes),
        new DaemonConfig.Prefetch(prefetch));
  }
}
