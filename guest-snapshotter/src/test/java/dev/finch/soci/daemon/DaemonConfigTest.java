package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.daemon.toml.TomlException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DaemonConfigTest {
  private static final String GOOD = """
      # top-level keys
      metrics_address = "127.0.0.1:9100"
      mount_timeout_sec = 12
      debug_address = "ignored"

      [pull_modes.soci_v1]
        enable = false
      [pull_modes.soci_v2]
        enable = true

      [blob]
        fetching_timeout_sec = 60   # seconds
        max_retries = 3

      [background_fetch]
        disable = true
        fetch_period_msec = 1_000
        silence_period_msec = 0
        max_queue_size = -1

      [snapshotter]
        allow_invalid_mounts_on_restart = true

      [content_store]
        containerd_address = '/run/k3s/containerd.sock'

      [cache]
        max_bytes = 1073741824

      [prefetch]
        enable = false

      [resolver.host."127.0.0.1:5000"]
        mirrors = [
          {host = "mirror.local:5000", insecure = true},
          {host = "backup.local", request_timeout_sec = -1},
        ]

      [[resolver.host."docker.io".mirrors]]
        host = "dockerhub-mirror.example"
      """;

  @Test
  void readsEverySupportedKey() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfig c = DaemonConfigLoader.parse("config.toml", GOOD, warnings::add);
    assertThat(c.metrics()).isEqualTo(DaemonConfig.Metrics.tcp("127.0.0.1:9100"));
    assertThat(c.mountTimeoutSec()).isEqualTo(12);
    assertThat(c.pullModes()).isEqualTo(new DaemonConfig.PullModes(false, true));
    assertThat(c.blob()).isEqualTo(new DaemonConfig.Blob(60, 3));
    assertThat(c.backgroundFetch()).isEqualTo(new DaemonConfig.BackgroundFetch(true, 1000, 0, -1));
    assertThat(c.prefetch().enable()).isFalse();
    assertThat(c.snapshotter().allowInvalidMountsOnRestart()).isTrue();
    assertThat(c.contentStore().containerdAddress()).isEqualTo("/run/k3s/containerd.sock");
    assertThat(c.cache().maxBytes()).isEqualTo(1L << 30);
    assertThat(c.resolver().hosts()).containsOnlyKeys("127.0.0.1:5000", "docker.io");
    assertThat(c.resolver().hosts().get("127.0.0.1:5000").mirrors()).containsExactly(
        new DaemonConfig.Mirror("mirror.local:5000", true, 0),
        new DaemonConfig.Mirror("backup.local", false, -1));
    assertThat(c.resolver().hosts().get("docker.io").mirrors())
        .containsExactly(new DaemonConfig.Mirror("dockerhub-mirror.example", false, 0));
    assertThat(warnings).containsExactly("config.toml:4: debug_address: Go's pprof debug endpoint has no counterpart here, ignored");
  }

  @Test
  void emptyFileGivesDefaultsWithBothPullModesOn() throws Exception {
    DaemonConfig c = DaemonConfigLoader.parse("c", "", w -> {});
    assertThat(c).isEqualTo(DaemonConfig.defaults());
    assertThat(c.pullModes().sociV1Enable()).isTrue();
    assertThat(c.pullModes().sociV2Enable()).isTrue();
  }

  @Test
  void renderedConfigReadsBackEqual() throws Exception {
    DaemonConfig c = DaemonConfigLoader.parse("config.toml", GOOD, w -> {});
    List<String> warnings = new ArrayList<>();
    assertThat(DaemonConfigLoader.parse("dump", DaemonConfigWriter.render(c), warnings::add)).isEqualTo(c);
    assertThat(warnings).isEmpty();
    assertThat(DaemonConfigLoader.parse("d", DaemonConfigWriter.render(DaemonConfig.defaults()), w -> {}))
        .isEqualTo(DaemonConfig.defaults());
  }

  @Test
  void shippedGuestConfigIsTheDefault() throws Exception {
    Path shipped = Path.of("..", "installers", "guest", "config.toml");
    List<String> warnings = new ArrayList<>();
    assertThat(DaemonConfigLoader.load(shipped, true, warnings::add)).isEqualTo(DaemonConfig.defaults());
    assertThat(warnings).isEmpty();
  }

  @Test
  void missingDefaultFileMeansDefaultsButMissingExplicitFileFails(@TempDir Path tmp) throws Exception {
    Path absent = tmp.resolve("config.toml");
    assertThat(DaemonConfigLoader.load(absent, false, w -> {})).isEqualTo(DaemonConfig.defaults());
    assertThatThrownBy(() -> DaemonConfigLoader.load(absent, true, w -> {}))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(absent.toString());
    Files.writeString(absent, "[blob]\nmax_retries = 2\n");
    assertThat(DaemonConfigLoader.load(absent, true, w -> {}).blob().maxRetries()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      metrics_address = 9100                                   | c.toml:1: metrics_address: expected a string, got integer
      '\\n\\n[pull_modes.soci_v1]\\nenable = "yes"'           | c.toml:4: pull_modes.soci_v1.enable: expected a boolean, got string
      '[blob]\\nmax_retries = -1'                              | c.toml:2: blob.max_retries: -1 is out of range [0, 100]
      '[blob]\\nfetching_timeout_sec = 1.5'                    | c.toml:2: floating-point values are not supported: 1.5
      '[blob]\\nmax_retries = 1\\nmax_retries = 2'             | c.toml:3: key "max_retries" is defined twice
      '[blob]\\n[blob]'                                         | c.toml:2: table [blob] is defined twice
      '[blob\\nmax_retries = 1'                                 | c.toml:1: expected ']' to close the table header
      'metrics_address = "unterminated'                         | c.toml:1: unterminated string
      'metrics_address = abc'                                   | c.toml:1: invalid value: abc (strings must be quoted)
      'a = 1 b = 2'                                             | c.toml:1: unexpected 'b' after value (one key = value per line)
      '\\nx = [1, "a"]'                                         | c.toml:2: array mixes integer and string values
      '\\n\\nx = [1,\\n2'                                       | c.toml:3: unterminated array
      'blob = 3'                                                | c.toml:1: blob: expected a table, got integer
      '[resolver.host."h"]\\nmirrors = [{insecure = true}]'     | c.toml:2: resolver.host.h.mirrors[0].host: must not be empty
      '[resolver.host."h"]\\nmirrors = ["m"]'                   | c.toml:2: resolver.host.h.mirrors: expected an array of tables, got string elements
      's = "bad \\q escape"'                                    | c.toml:1: invalid escape \\q in string
      """)
  void errorsNameFileAndLine(String toml, String message) {
    String text = toml.replace("\\n", "\n");
    assertThatThrownBy(() -> DaemonConfigLoader.parse("c.toml", text, w -> {}))
        .isInstanceOf(TomlException.class)
        .hasMessage(message);
  }

  @Test
  void referenceMetricsKeysLoad() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfig c = DaemonConfigLoader.parse("c.toml",
        "metrics_address = \"/run/soci-snapshotter-grpc/metrics.sock\"\nmetrics_network = \"unix\"\n", warnings::add);
    assertThat(c.metrics()).isEqualTo(DaemonConfig.Metrics.unix("/run/soci-snapshotter-grpc/metrics.sock"));
    assertThat(c.metrics().enabled()).isTrue();
    assertThat(warnings).isEmpty();
    DaemonConfig off = DaemonConfigLoader.parse("c.toml", "metrics_address = \"127.0.0.1:9\"\nno_prometheus = true\n", w -> {});
    assertThat(off.metrics().enabled()).isFalse();
    assertThat(DaemonConfigLoader.parse("d", DaemonConfigWriter.render(c), w -> {})).isEqualTo(c);
    assertThatThrownBy(() -> DaemonConfigLoader.parse("c.toml", "\nmetrics_network = \"udp\"\n", w -> {}))
        .isInstanceOf(TomlException.class)
        .hasMessage("c.toml:2: metrics_network: \"udp\" is not one of \"tcp\", \"unix\"");
  }

  @Test
  void everyIgnoredKeySaysWhyAndATypoIsCalledOne() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfigLoader.parse("c.toml",
        "disable_verification = true\nmetrics_adress = \"x\"\n[blob]\ncheck_always = true\n", warnings::add);
    assertThat(warnings).containsExactly(
        "c.toml:1: disable_verification: refused: every span is checked against its zTOC digest, ignored",
        "c.toml:2: metrics_adress: not a soci-snapshotter-grpc key (a typo?), ignored",
        "c.toml:4: blob.check_always: not supported yet, ignored");
  }

  @Test
  void unknownSectionsAreWarnedPerKey() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfigLoader.parse("c.toml", "[fuse]\nattr_timeout = 1\n[http]\nMaxRetries = 3\n", warnings::add);
    assertThat(warnings).containsExactly(
        "c.toml:1: fuse: not supported yet, ignored", "c.toml:3: http: not supported yet, ignored (registry timeouts and retries come from [blob])");
  }
}
