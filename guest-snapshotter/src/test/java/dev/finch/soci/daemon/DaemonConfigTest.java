package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DaemonConfigTest {
  private static final String GOOD =
      """
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
        native_handover = false

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
    assertThat(c.blob()).isEqualTo(new DaemonConfig.Blob(60, 3, 30, 300_000));
    assertThat(c.backgroundFetch()).isEqualTo(new DaemonConfig.BackgroundFetch(true, 1000, 0, -1));
    assertThat(c.prefetch().enable()).isFalse();
    assertThat(c.snapshotter().allowInvalidMountsOnRestart()).isTrue();
    assertThat(c.contentStore().containerdAddress()).isEqualTo("/run/k3s/containerd.sock");
    assertThat(c.cache().maxBytes()).isEqualTo(1L << 30);
    assertThat(c.cache().nativeHandover()).isFalse();
    assertThat(DaemonConfig.defaults().cache().nativeHandover()).isTrue();
    assertThat(c.resolver().hosts()).containsOnlyKeys("127.0.0.1:5000", "docker.io");
    assertThat(c.resolver().hosts().get("127.0.0.1:5000").mirrors())
        .containsExactly(
            new DaemonConfig.Mirror("mirror.local:5000", true, 0),
            new DaemonConfig.Mirror("backup.local", false, -1));
    assertThat(c.resolver().hosts().get("docker.io").mirrors())
        .containsExactly(new DaemonConfig.Mirror("dockerhub-mirror.example", false, 0));
    assertThat(warnings)
        .containsExactly(
            "config.toml: debug_address: Go's pprof debug endpoint has no counterpart here, ignored");
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
    assertThat(DaemonConfigLoader.parse("dump", DaemonConfigWriter.render(c), warnings::add))
        .isEqualTo(c);
    assertThat(warnings).isEmpty();
    assertThat(
            DaemonConfigLoader.parse(
                "d", DaemonConfigWriter.render(DaemonConfig.defaults()), w -> {}))
        .isEqualTo(DaemonConfig.defaults());
  }

  @Test
  void shippedGuestConfigIsTheDefault() throws Exception {
    Path shipped = Path.of("..", "installers", "guest", "config.toml");
    List<String> warnings = new ArrayList<>();
    assertThat(DaemonConfigLoader.load(shipped, true, warnings::add))
        .isEqualTo(DaemonConfig.defaults());
    assertThat(warnings).isEmpty();
  }

  @Test
  void missingDefaultFileMeansDefaultsButMissingExplicitFileFails(@TempDir Path tmp)
      throws Exception {
    Path absent = tmp.resolve("config.toml");
    assertThat(DaemonConfigLoader.load(absent, false, w -> {})).isEqualTo(DaemonConfig.defaults());
    assertThatThrownBy(() -> DaemonConfigLoader.load(absent, true, w -> {}))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(absent.toString());
    Files.writeString(absent, "[blob]\nmax_retries = 2\n");
    assertThat(DaemonConfigLoader.load(absent, true, w -> {}).blob().maxRetries()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      metrics_address = 9100                                   | c.toml: metrics_address: expected a string, got 9100
      '\\n\\n[pull_modes.soci_v1]\\nenable = "yes"'           | c.toml: [pull_modes.soci_v1] enable: expected a boolean, got "yes"
      '[blob]\\nmax_retries = -1'                              | c.toml: [blob] max_retries: -1 is out of range [0, 100]
      '[blob]\\nfetching_timeout_sec = 1.5'                    | c.toml: [blob] fetching_timeout_sec: expected an integer, got 1.5
      'mount_timeout_sec = 0'                                  | c.toml: mount_timeout_sec: 0 is out of range [1, 2147483647]
      '[background_fetch]\\nmax_queue_size = -2'               | c.toml: [background_fetch] max_queue_size: -2 is out of range [-1, 2147483647]
      '[cache]\\nmax_bytes = -1'                               | c.toml: [cache] max_bytes: -1 is out of range [0, 9223372036854775807]
      '[prefetch]\\nenable = [true]'                           | c.toml: [prefetch] enable: expected a boolean, got an array
      'content_store = {containerd_address = 5}'               | c.toml: [content_store] containerd_address: expected a string, got 5
      'blob = 3'                                                | c.toml: blob: expected a table, got 3
      '[resolver]\\nhost = "x"'                                 | c.toml: [resolver] host: expected a table, got "x"
      '[resolver.host]\\nh = 1'                                 | c.toml: [resolver.host] h: expected a table, got 1
      '[resolver.host."h"]\\nmirrors = [{insecure = true}]'     | c.toml: [resolver.host.h.mirrors] host: must not be empty
      '[resolver.host."h"]\\nmirrors = [{host = "a"}, {host = ""}]' | c.toml: [resolver.host.h.mirrors #2] host: must not be empty
      '[resolver.host."h"]\\nmirrors = ["m"]'                   | c.toml: [resolver.host.h] mirrors: expected an array of tables, got an element "m"
      '[resolver.host."h"]\\nmirrors = {host = "m"}'            | c.toml: [resolver.host.h] mirrors: expected an array of tables, got a table
      '[resolver.host."h"]\\nmirrors = [{host = "m", insecure = "no"}]' | c.toml: [resolver.host.h.mirrors] insecure: expected a boolean, got "no"
      '[[resolver.host."r.example".mirrors]]\\nhost = 3'         | c.toml: [resolver.host."r.example".mirrors] host: expected a string, got 3
      '[resolver.host."a \\"b\\""]\\nmirrors = [{host = "m", request_timeout_sec = "1"}]' | c.toml: [resolver.host."a \\"b\\"".mirrors] request_timeout_sec: expected an integer, got "1"
      """)
  void errorsNameFileAndKey(String toml, String message) {
    String text = toml.replace("\\n", "\n");
    assertThatThrownBy(() -> DaemonConfigLoader.parse("c.toml", text, w -> {}))
        .isInstanceOf(DaemonConfigException.class)
        .hasMessage(message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      '[blob]\\nmax_retries = 1\\nmax_retries = 2'             | c.toml:3:16: Duplicate key
      '[blob]\\n[blob]'                                         | c.toml:2:6: Table redefined
      '[blob\\nmax_retries = 1'                                 | c.toml:1:6: Newline not permitted here
      'metrics_address = "unterminated'                         | c.toml:1:32: Premature end of file
      'metrics_address = abc'                                   | c.toml:1:19: Unknown token
      'a = 1 b = 2'                                             | c.toml:1:7: More data after value has already ended. Invalid value preceding this position?
      '\\n\\nx = [1,\\n2'                                       | c.toml:3:8: Premature end of file
      '[blob]\\nmax_retries = 1\\nmax_retries = 2\\n\\n# later\\n[cache]\\n' | c.toml:3:16: Duplicate key
      'a = [\\n  1,\\n]\\nb = [\\n  2,\\n'                        | c.toml:4:6: Premature end of file
      'a = \"\"\"\\nmulti\\nb = 1\\n'                                | c.toml:1:8: Premature end of file
      's = "bad \\q escape"'                                    | c.toml:1:10: Unknown escape sequence
      """)
  void syntaxErrorsNameFileLineAndColumn(String toml, String message) {
    String text = toml.replace("\\n", "\n");
    assertThatThrownBy(() -> DaemonConfigLoader.parse("c.toml", text, w -> {}))
        .isInstanceOf(DaemonConfigException.class)
        .hasMessage(message);
  }

  @Test
  void referenceMetricsKeysLoad() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfig c =
        DaemonConfigLoader.parse(
            "c.toml",
            "metrics_address = \"/run/soci-snapshotter-grpc/metrics.sock\"\nmetrics_network = \"unix\"\n",
            warnings::add);
    assertThat(c.metrics())
        .isEqualTo(DaemonConfig.Metrics.unix("/run/soci-snapshotter-grpc/metrics.sock"));
    assertThat(c.metrics().enabled()).isTrue();
    assertThat(warnings).isEmpty();
    DaemonConfig off =
        DaemonConfigLoader.parse(
            "c.toml", "metrics_address = \"127.0.0.1:9\"\nno_prometheus = true\n", w -> {});
    assertThat(off.metrics().enabled()).isFalse();
    assertThat(DaemonConfigLoader.parse("d", DaemonConfigWriter.render(c), w -> {})).isEqualTo(c);
    assertThatThrownBy(
            () -> DaemonConfigLoader.parse("c.toml", "\nmetrics_network = \"udp\"\n", w -> {}))
        .isInstanceOf(DaemonConfigException.class)
        .hasMessage("c.toml: metrics_network: \"udp\" is not one of \"tcp\", \"unix\"");
  }

  @Test
  void everyIgnoredKeySaysWhyAndATypoIsCalledOne() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfigLoader.parse(
        "c.toml",
        "disable_verification = true\nmetrics_adress = \"x\"\n[blob]\ncheck_always = true\n",
        warnings::add);
    assertThat(warnings)
        .containsExactly(
            "c.toml: disable_verification: refused: every span is checked against its zTOC digest, ignored",
            "c.toml: metrics_adress: not a soci-snapshotter-grpc key (did you mean metrics_address?), ignored",
            "c.toml: [blob] check_always: not supported yet, ignored");
  }

  @Test
  void unknownSectionsAreWarnedPerKey() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfigLoader.parse(
        "c.toml",
        "[fuse]\nattr_timeout = 1\n[http]\nMaxRetries = 3\nMaxRetires = 1\n",
        warnings::add);
    assertThat(warnings)
        .containsExactly(
            "c.toml: [fuse]: a mounted layer never changes, so the kernel keeps its names, attributes and"
                + " listings for a day and opens need no request (docs/daemon.md, Warm reads), ignored",
            "c.toml: [http] MaxRetires: not a soci-snapshotter-grpc key (did you mean MaxRetries?), ignored");
  }

  @Test
  void aReferenceConfigLoadsWithAReasonForEveryKeyItDoesNotHonour() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfig c =
        DaemonConfigLoader.parse(
            "c.toml",
            """
        metrics_address = "127.0.0.1:8000"
        metrics_network = "tcp"
        no_prometheus = false
        debug_address = ""
        metadata_store = "db"
        metadata_db_no_sync = false
        metadata_insertion_chunk_size = 0
        skip_check_snapshotter_supported = false
        http_cache_type = ""
        filesystem_cache_type = ""
        resolve_result_entry = 0
        debug = false
        disable_verification = false
        max_concurrency = 100
        mount_timeout_sec = 30
        fuse_metrics_emit_wait_duration_sec = 60
        [http]
          MaxRetries = 8
          DialTimeoutMsec = 3000
        [blob]
          valid_interval = 60
          check_always = false
          fetching_timeout_sec = 300
          max_retries = 8
          min_wait_msec = 30
          max_wait_msec = 300000
          force_single_range_mode = false
          max_span_verification_retries = 0
        [directory_cache]
          max_lru_cache_entry = 10
        [fuse]
          attr_timeout = 1
          entry_timeout = 1
          negative_timeout = 1
          log_fuse_operations = false
        [background_fetch]
          disable = false
          silence_period_msec = 30000
          fetch_period_msec = 500
          max_queue_size = 100
          emit_metric_period_sec = 10
        [content_store]
          type = "soci"
          containerd_address = "/run/containerd/containerd.sock"
        [prefetch]
          enable = false
        [pull_modes.soci_v1]
          enable = false
        [pull_modes.soci_v2]
          enable = true
        [pull_modes.parallel_pull_unpack]
          enable = false
        [kubeconfig_keychain]
          enable_keychain = false
        [cri_keychain]
          enable_keychain = false
        [resolver]
          enable_auth_client_sharing = false
        [snapshotter]
          min_layer_size = 0
          allow_invalid_mounts_on_restart = false
        """,
            warnings::add);
    assertThat(c.metrics()).isEqualTo(DaemonConfig.Metrics.tcp("127.0.0.1:8000"));
    assertThat(c.pullModes()).isEqualTo(new DaemonConfig.PullModes(false, true));
    assertThat(c.backgroundFetch().maxQueueSize()).isEqualTo(100);
    assertThat(c.prefetch().enable()).isFalse();
    // [http] and [blob] min_wait_msec / max_wait_msec are honoured
    assertThat(c.http().maxRetries()).isEqualTo(8);
    assertThat(c.blob()).isEqualTo(new DaemonConfig.Blob(300, 8, 30, 300_000));
    assertThat(warnings)
        .hasSize(25)
        .allSatisfy(
            w ->
                assertThat(w)
                    .startsWith("c.toml: ")
                    .contains("ignored")
                    .doesNotContain("not a soci-snapshotter-grpc key"));
    assertThat(warnings)
        .contains(
            "c.toml: [directory_cache]: the span cache has its own layout ([cache] max_bytes), ignored",
            "c.toml: [pull_modes.parallel_pull_unpack]: not supported yet, ignored",
            "c.toml: [content_store] type: zTOCs are read through containerd's content store or the soci store as"
                + " soci writes them, ignored");
  }

  @Test
  void aTypoNamesTheNearestKeyOfItsTableOnlyWhenOneIsClose() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfigLoader.parse(
        "c.toml",
        """
        mount_timeout = 3
        [blob]
        Max_Retries = 2
        check_alway = true
        retries = 1
        [background_fetch]
        fetch_period_ms = 1
        """,
        warnings::add);
    assertThat(warnings)
        .containsExactly(
            "c.toml: mount_timeout: not a soci-snapshotter-grpc key (a typo?), ignored",
            "c.toml: [blob] Max_Retries: not a soci-snapshotter-grpc key (did you mean max_retries?), ignored",
            "c.toml: [blob] check_alway: not a soci-snapshotter-grpc key (did you mean check_always?), ignored",
            "c.toml: [blob] retries: not a soci-snapshotter-grpc key (a typo?), ignored",
            "c.toml: [background_fetch] fetch_period_ms: not a soci-snapshotter-grpc key (did you mean"
                + " fetch_period_msec?), ignored");
  }

  @Test
  void dumpHasOneHeaderPerTableInTheShippedOrder() throws Exception {
    String dump = DaemonConfigWriter.render(DaemonConfigLoader.parse("config.toml", GOOD, w -> {}));
    assertThat(dump.lines().filter(l -> l.startsWith("[")).toList())
        .containsExactly(
            "[pull_modes.soci_v1]",
            "[pull_modes.soci_v2]",
            "[http]",
            "[blob]",
            "[background_fetch]",
            "[snapshotter]",
            "[content_store]",
            "[cache]",
            "[prefetch]",
            "[resolver.host]");
    assertThat(dump.lines().limit(4).toList())
        .containsExactly(
            "metrics_address = '127.0.0.1:9100'",
            "metrics_network = 'tcp'",
            "no_prometheus = false",
            "mount_timeout_sec = 12");
    assertThat(dump).contains("\n[blob]\nfetching_timeout_sec = 60\nmax_retries = 3\n");
    assertThat(DaemonConfigWriter.render(DaemonConfig.defaults())).doesNotContain("[resolver");
  }

  @Test
  void awkwardStringsSurviveADumpAndLoad() throws Exception {
    DaemonConfig awkward =
        DaemonConfig.defaults()
            .withMetrics(DaemonConfig.Metrics.unix("/run/it's \"here\"\\metrics.sock"));
    awkward =
        new DaemonConfig(
            awkward.metrics(),
            awkward.mountTimeoutSec(),
            awkward.pullModes(),
            awkward.http(),
            awkward.blob(),
            awkward.backgroundFetch(),
            awkward.snapshotter(),
            new DaemonConfig.ContentStoreSection("/run/é\tx\n.sock"),
            new DaemonConfig.Resolver(
                Map.of(
                    "127.0.0.1:5000",
                        new DaemonConfig.Host(List.of(new DaemonConfig.Mirror("m\"q\\", true, -1))),
                    "a b.\"c\"", new DaemonConfig.Host(List.of()),
                    "localhost",
                        new DaemonConfig.Host(
                            List.of(
                                new DaemonConfig.Mirror("x", false, 0),
                                new DaemonConfig.Mirror("y", false, 7))))),
            awkward.cache(),
            awkward.prefetch());
    List<String> warnings = new ArrayList<>();
    assertThat(DaemonConfigLoader.parse("dump", DaemonConfigWriter.render(awkward), warnings::add))
        .isEqualTo(awkward);
    assertThat(warnings).isEmpty();
  }
}
