package dev.finch.soci.daemon;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.toml.TomlReadFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reads {@code config.toml} (all of TOML 1.0, parsed by jackson-dataformat-toml) into a {@link
 * DaemonConfig}. Absent keys take the defaults. A key this implementation does not honour is never
 * dropped silently: each one goes to the warning sink with where it is and the reason ({@link
 * ReferenceKeys}), so a reference config file still loads and the user sees what does not apply;
 * wrong types and bad values fail with {@code file: [table] key: problem}, syntax errors with
 * {@code file:line:column: problem} ({@link DaemonConfigException}).
 */
public final class DaemonConfigLoader {
  private DaemonConfigLoader() {}

  /**
   * Dates and times stay typed rather than turn into strings: one given for a string is an error.
   */
  private static final TomlMapper TOML =
      TomlMapper.builder().enable(TomlReadFeature.PARSE_JAVA_TIME).build();

  /** Longer files keep Jackson's position for a syntax error: placing it parses once per line. */
  private static final int MAX_LINES_TO_PLACE = 2000;

  /**
   * Loads {@code file}. A missing file is an error only when {@code explicit} (the user named it);
   * the missing default file means built-in defaults, as in the reference.
   */
  public static DaemonConfig load(Path file, boolean explicit, Consumer<String> warnings)
      throws IOException, DaemonConfigException {
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
  public static DaemonConfig parse(String name, String text, Consumer<String> warnings)
      throws DaemonConfigException {
    ConfigTable r = ConfigTable.root(name, read(name, text));
    DaemonConfig d = DaemonConfig.defaults();
    String metricsAddress = r.string("metrics_address", d.metrics().address());
    String network =
        r.oneOf(
            "metrics_network",
            d.metrics().network(),
            DaemonConfig.Metrics.TCP,
            DaemonConfig.Metrics.UNIX);
    boolean noPrometheus = r.bool("no_prometheus", d.metrics().noPrometheus());
    DaemonConfig.Metrics metrics = new DaemonConfig.Metrics(metricsAddress, network, noPrometheus);
    long mountTimeout = r.integer("mount_timeout_sec", d.mountTimeoutSec(), 1, Integer.MAX_VALUE);

    ConfigTable pull = r.table("pull_modes");
    boolean v1 = pull.table("soci_v1").bool("enable", d.pullModes().sociV1Enable());
    boolean v2 = pull.table("soci_v2").bool("enable", d.pullModes().sociV2Enable());

    ConfigTable ht = r.table("http");
    DaemonConfig.Http hd = d.http();
    long httpRetries = ht.integer("MaxRetries", hd.maxRetries(), 0, 100);
    long httpMin = ht.integer("MinWaitMsec", hd.minWaitMsec(), 0, Integer.MAX_VALUE);
    DaemonConfig.Http http =
        new DaemonConfig.Http(
            httpRetries,
            httpMin,
            ht.integer(
                "MaxWaitMsec", Math.max(httpMin, hd.maxWaitMsec()), httpMin, Integer.MAX_VALUE),
            ht.integer("DialTimeoutMsec", hd.dialTimeoutMsec(), 1, Integer.MAX_VALUE),
            ht.integer(
                "ResponseHeaderTimeoutMsec", hd.responseHeaderTimeoutMsec(), 1, Integer.MAX_VALUE),
            ht.integer("RequestTimeoutMsec", hd.requestTimeoutMsec(), 1, Integer.MAX_VALUE),
            ht.integer("NoProgressTimeoutMsec", hd.noProgressTimeoutMsec(), 1, Integer.MAX_VALUE));

    ConfigTable blob = r.table("blob");
    long fetchTimeout =
        blob.integer("fetching_timeout_sec", d.blob().fetchingTimeoutSec(), 1, Integer.MAX_VALUE);
    long retries = blob.integer("max_retries", http.maxRetries(), 0, 100);
    long blobMin = blob.integer("min_wait_msec", http.minWaitMsec(), 0, Integer.MAX_VALUE);
    long blobMax =
        blob.integer(
            "max_wait_msec", Math.max(blobMin, http.maxWaitMsec()), blobMin, Integer.MAX_VALUE);

    ConfigTable bg = r.table("background_fetch");
    var bgd = d.backgroundFetch();
    DaemonConfig.BackgroundFetch background =
        new DaemonConfig.BackgroundFetch(
            bg.bool("disable", bgd.disable()),
            bg.integer("fetch_period_msec", bgd.fetchPeriodMsec(), 1, Integer.MAX_VALUE),
            bg.integer("silence_period_msec", bgd.silencePeriodMsec(), 0, Integer.MAX_VALUE),
            bg.integer("max_queue_size", bgd.maxQueueSize(), -1, Integer.MAX_VALUE));

    boolean allowInvalid =
        r.table("snapshotter")
            .bool("allow_invalid_mounts_on_restart", d.snapshotter().allowInvalidMountsOnRestart());
    String containerd =
        r.table("content_store").string("containerd_address", d.contentStore().containerdAddress());

    Map<String, DaemonConfig.Host> hosts = new LinkedHashMap<>();
    ConfigTable hostTable = r.table("resolver").table("host");
    for (String host : hostTable.keys()) {
      if (!ConfigTable.isScalarValues(host)) {
        throw hostTable.invalid(host, ConfigTable.NOT_UNICODE);
      }
      ConfigTable h = hostTable.table(host);
      List<DaemonConfig.Mirror> mirrors = new ArrayList<>();
      h.tables(
          "mirrors",
          m -> {
            String mh = m.string("host", "");
            if (mh.isBlank()) {
              throw m.invalid("host", "must not be empty");
            }
            mirrors.add(
                new DaemonConfig.Mirror(
                    mh,
                    m.bool("insecure", false),
                    m.integer("request_timeout_sec", 0, Integer.MIN_VALUE, Integer.MAX_VALUE)));
          });
      hosts.put(host, new DaemonConfig.Host(mirrors));
    }

    ConfigTable cache = r.table("cache");
    long maxBytes = cache.integer("max_bytes", d.cache().maxBytes(), 0, Long.MAX_VALUE);
    boolean nativeHandover = cache.bool("native_handover", d.cache().nativeHandover());
    boolean prefetch = r.table("prefetch").bool("enable", d.prefetch().enable());

    r.unknownKeys(
        u ->
            warnings.accept(
                name
                    + ": "
                    + u.where()
                    + ": "
                    + ReferenceKeys.whyIgnored(u.table(), u.key(), u.known())));
    return new DaemonConfig(
        metrics,
        mountTimeout,
        new DaemonConfig.PullModes(v1, v2),
        http,
        new DaemonConfig.Blob(fetchTimeout, retries, blobMin, blobMax),
        background,
        new DaemonConfig.SnapshotterSection(allowInvalid),
        new DaemonConfig.ContentStoreSection(containerd),
        new DaemonConfig.Resolver(hosts),
        new DaemonConfig.Cache(maxBytes, nativeHandover),
        new DaemonConfig.Prefetch(prefetch));
  }

  /** The document as Jackson's tree; a syntax error becomes one line with Jackson's position. */
  private static ObjectNode read(String name, String text) throws DaemonConfigException {
    JsonNode tree;
    try {
      tree = TOML.readTree(text);
    } catch (JsonProcessingException e) {
      JsonProcessingException first = firstFailingLines(text, e);
      JsonLocation at = first.getLocation();
      String where =
          at == null || at.getLineNr() < 1
              ? name
              : name + ":" + at.getLineNr() + ":" + at.getColumnNr();
      throw new DaemonConfigException(where + ": " + oneLine(first.getOriginalMessage()));
    } catch (RuntimeException e) {
      // not expected from the parser, but the user still gets a line about the file, not a trace
      throw new DaemonConfigException(
          name + ": cannot be read as TOML: " + oneLine(String.valueOf(e)));
    }
    return tree instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
  }

  /**
   * Jackson notices some errors only at the next token, which can be lines further on: a duplicate
   * key is reported where the next key starts, after any blank lines and comments. The error of the
   * shortest run of leading lines that still fails the same way names the line itself; Jackson's
   * own position is kept when that run is the whole document. An unterminated array or string is so
   * placed where it starts. The run is found by bisection (a run that fails so, fails so with every
   * line added after it), so a file of n lines is parsed again about log2(n) times, not n times.
   */
  private static JsonProcessingException firstFailingLines(String text, JsonProcessingException e) {
    List<Integer> ends = new ArrayList<>(); // where each line ends, before its \n or \r\n
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      ends.add(i > 0 && text.charAt(i - 1) == '\r' ? i - 1 : i);
    }
    if (ends.size() > MAX_LINES_TO_PLACE) {
      return e;
    }
    int lo = 0;
    int hi = ends.size(); // the run of every line: the whole text, which fails as e
    JsonProcessingException best = e;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      JsonProcessingException m = failure(text.substring(0, ends.get(mid)));
      if (m != null && Objects.equals(m.getOriginalMessage(), e.getOriginalMessage())) {
        hi = mid;
        best = m;
      } else {
        lo = mid + 1;
      }
    }
    return best;
  }

  /** The syntax error of {@code text}, or null when it parses (or fails otherwise). */
  private static JsonProcessingException failure(String text) {
    try {
      TOML.readTree(text);
      return null;
    } catch (JsonProcessingException e) {
      return e;
    } catch (RuntimeException unexpected) {
      return null;
    }
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s+", " ").strip();
  }
}
