package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The TOML side of {@link DaemonConfigLoader}: every form TOML 1.0 allows, and malformed files. */
class DaemonConfigTomlTest {
  @Test
  void readsEveryKeyStringAndTableForm() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfig c =
        DaemonConfigLoader.parse(
            "t.toml",
            """
        "metrics_address" = '127.0.0.1:9100'   # quoted key, literal string
        content_store.containerd_address = "/run/\\u00e9\\t\\"x\\".sock"   # dotted key, escapes
        mount_timeout_sec = 1_000
        [resolver.host."y.z"]
        mirrors = [ {host = "a"},
          # comment inside an array
          {host = "b", insecure = true}, ]
        [[resolver.host.arr.mirrors]]
        host = "n1"
        [[resolver.host.arr.mirrors]]
        host = 'n2'
        request_timeout_sec = +5
        [pull_modes.soci_v1]
        enable = false
        [pull_modes]
        soci_v2 = {enable = false}
        """,
            warnings::add);
    assertThat(c.metrics().address()).isEqualTo("127.0.0.1:9100");
    assertThat(c.contentStore().containerdAddress()).isEqualTo("/run/é\t\"x\".sock");
    assertThat(c.mountTimeoutSec()).isEqualTo(1000);
    assertThat(c.resolver().hosts()).containsOnlyKeys("y.z", "arr");
    assertThat(c.resolver().hosts().get("y.z").mirrors())
        .containsExactly(
            new DaemonConfig.Mirror("a", false, 0), new DaemonConfig.Mirror("b", true, 0));
    assertThat(c.resolver().hosts().get("arr").mirrors())
        .containsExactly(
            new DaemonConfig.Mirror("n1", false, 0), new DaemonConfig.Mirror("n2", false, 5));
    assertThat(c.pullModes()).isEqualTo(new DaemonConfig.PullModes(false, false));
    assertThat(warnings).isEmpty();
  }

  @Test
  void unknownKeysOfEveryShapeAreWarnedOnceWhereTheyAre() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfigLoader.parse(
        "t.toml",
        """
        "quoted key" = 'C:\\literal'
        a.b.c = "\\u00e9\\t\\"x\\""   # dotted key
        neg = -1_000
        [x."y.z"]
        flag = false
        [[arr]]
        n = 1
        [[arr]]
        n = 2
        [arr.sub]
        m = true
        list = [ "a",
          # comment inside an array
          "b", ]
        empty = {}
        [resolver.host."h"]
        mirrors = [{host = "m", extra = 1}, {host = "n", weight = 2}]
        """,
        warnings::add);
    String typo = ": not a soci-snapshotter-grpc key (a typo?), ignored";
    assertThat(warnings)
        .containsExactly(
            "t.toml: \"quoted key\"" + typo,
            "t.toml: [a]" + typo,
            "t.toml: neg" + typo,
            "t.toml: [x]" + typo,
            "t.toml: arr" + typo,
            "t.toml: [resolver.host.h.mirrors #1] extra" + typo,
            "t.toml: [resolver.host.h.mirrors #2] weight" + typo);
  }

  @Test
  void readsWhatTheHandWrittenReaderRefused() throws Exception {
    List<String> warnings = new ArrayList<>();
    DaemonConfig c =
        DaemonConfigLoader.parse(
            "f",
            """
        metrics_address = \"""
        127.0.0.1:9\"""
        mount_timeout_sec = 0x10
        mixed = [1, "a", 1.5, 1979-05-27]
        """,
            warnings::add);
    assertThat(c.metrics().address())
        .as("a multi-line string, first newline trimmed")
        .isEqualTo("127.0.0.1:9");
    assertThat(c.mountTimeoutSec()).isEqualTo(16);
    assertThat(warnings)
        .containsExactly("f: mixed: not a soci-snapshotter-grpc key (a typo?), ignored");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      '\\nmetrics_address = 1979-05-27'             | f: metrics_address: expected a string, got 1979-05-27
      'mount_timeout_sec = 99999999999999999999'   | f: mount_timeout_sec: 99999999999999999999 is out of range [1, 2147483647]
      'mount_timeout_sec = inf'                    | f: mount_timeout_sec: expected an integer, got inf
      'metrics_address = 07:32:00'                 | f: metrics_address: expected a string, got 07:32
      """)
  void valuesTomlHasButTheKeyDoesNotTakeNameTheKey(String toml, String message) {
    assertThatThrownBy(() -> DaemonConfigLoader.parse("f", toml.replace("\\n", "\n"), w -> {}))
        .isInstanceOf(DaemonConfigException.class)
        .hasMessage(message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      'x = 1\\n[x]'                | f:2:3: Path into existing non-object value of type NUMBER
      't = {a = 1\\n}'             | f:1:11: Newline not permitted here
      '= 1'                        | f:1:1: Unexpected token: Got KEY_VAL_SEP, expected key or table
      '[a]]\\nb = 1'               | f:1:5: Unexpected token: Got ARRAY_TABLE_CLOSE, expected STD_TABLE_CLOSE
      """)
  void syntaxErrorsAreOneLineAtTheLineAtFault(String toml, String message) {
    assertThatThrownBy(() -> DaemonConfigLoader.parse("f", toml.replace("\\n", "\n"), w -> {}))
        .isInstanceOf(DaemonConfigException.class)
        .hasMessage(message)
        .hasNoCause();
  }

  @Test
  void placingAnErrorInALongFileParsesItAFewTimesNotOncePerLine() {
    String toml = "a = [\n" + "1,\n".repeat(1999);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    // was: 2000 parses of ever longer runs, ~100 MB allocated for 6 KB (found by the fuzzer)
    assertThatThrownBy(() -> DaemonConfigLoader.parse("f", toml, w -> {}))
        .isInstanceOf(DaemonConfigException.class)
        .hasMessageStartingWith("f:1:");
    assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(16L << 20);
  }

  @Test
  void aLoneSurrogateIsRefusedWhereItIs() {
    // was: accepted by the reader, then IllegalStateException writing `config dump`
    assertThatThrownBy(
            () -> DaemonConfigLoader.parse("f", "metrics_address = \"\\ud800\"", w -> {}))
        .isInstanceOf(DaemonConfigException.class)
        .hasMessage(
            "f: metrics_address: not valid Unicode: it has a lone surrogate (\\uD800-\\uDFFF),"
                + " which TOML does not allow");
    assertThatThrownBy(
            () ->
                DaemonConfigLoader.parse(
                    "f", "[resolver.host.\"r\\udc00\"]\nmirrors = []", w -> {}))
        .isInstanceOf(DaemonConfigException.class)
        .hasMessageContaining("[resolver.host] ")
        .hasMessageEndingWith("which TOML does not allow");
    assertThat(ConfigTable.isScalarValues("a\ud83d\ude00b")).isTrue();
  }
}
