package dev.finch.soci.daemon.toml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TomlParserTest {
  @Test
  void parsesKeysStringsAndNesting() throws Exception {
    TomlValue.Table root = TomlParser.parse("t.toml", """
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
        """);
    assertThat(((TomlValue.Str) root.get("quoted key")).value()).isEqualTo("C:\\literal");
    TomlValue.Table a = (TomlValue.Table) root.get("a");
    TomlValue.Table b = (TomlValue.Table) a.get("b");
    assertThat(((TomlValue.Str) b.get("c")).value()).isEqualTo("é\t\"x\"");
    assertThat(((TomlValue.Int) root.get("neg")).value()).isEqualTo(-1000);
    TomlValue.Table x = (TomlValue.Table) root.get("x");
    assertThat(x.view()).containsOnlyKeys("y.z");
    assertThat(((TomlValue.Bool) ((TomlValue.Table) x.get("y.z")).get("flag")).value()).isFalse();
    TomlValue.Array arr = (TomlValue.Array) root.get("arr");
    assertThat(arr.values()).hasSize(2);
    TomlValue.Table second = (TomlValue.Table) arr.values().get(1);
    assertThat(second.line()).isEqualTo(8);
    TomlValue.Table sub = (TomlValue.Table) second.get("sub");
    assertThat(((TomlValue.Bool) sub.get("m")).value()).isTrue();
    assertThat(((TomlValue.Array) sub.get("list")).values())
        .extracting(v -> ((TomlValue.Str) v).value()).containsExactly("a", "b");
    assertThat(((TomlValue.Table) sub.get("empty")).view()).isEmpty();
    assertThat(List.of(root.get("neg").line(), sub.get("list").line())).containsExactly(3, 12);
  }

  @Test
  void rejectsWhatItDoesNotSupportWithFileAndLine() {
    assertThatThrownBy(() -> TomlParser.parse("f", "a = \"\"\"\nx\n\"\"\"")).hasMessage("f:1: multi-line strings are not supported");
    assertThatThrownBy(() -> TomlParser.parse("f", "\nd = 1979-05-27")).hasMessage("f:2: invalid value: 1979-05-27 (strings must be quoted)");
    assertThatThrownBy(() -> TomlParser.parse("f", "x = 1\n[x]")).hasMessage("f:2: \"x\" is already defined as a integer");
    assertThatThrownBy(() -> TomlParser.parse("f", "t = {a = 1\n}")).hasMessage("f:1: inline table must be closed with '}' on the same line");
    assertThatThrownBy(() -> TomlParser.parse("f", "= 1")).hasMessage("f:1: expected a key, got '='");
    assertThatThrownBy(() -> TomlParser.parse("f", "n = 99999999999999999999")).hasMessage("f:1: integer 99999999999999999999 is out of range");
  }
}
