package dev.finch.soci.snapshot.overlay.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.snapshot.ErrorKind;
import dev.finch.soci.snapshot.Info;
import dev.finch.soci.snapshot.Kind;
import dev.finch.soci.snapshot.SnapshotException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Table tests for containerd's filter syntax against one snapshot. */
class FiltersTest {
  static final Info INFO =
      new Info(
          "ns/12/sha256:aa.bb",
          "ns/11/sha256:parent",
          Kind.COMMITTED,
          Map.of("containerd.io/snapshot.ref", "sha256:aa.bb", "plain", "v", "with space", "x y"),
          Instant.EPOCH,
          Instant.EPOCH);

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ''                                                              | true
          name==ns/12/sha256:aa.bb                                        | true
          name==other                                                     | false
          name!=other                                                     | true
          kind==committed                                                 | true
          kind==active                                                    | false
          parent==ns/11/sha256:parent                                     | true
          labels."containerd.io/snapshot.ref"==sha256:aa.bb               | true
          labels."containerd.io/snapshot.ref"==sha256:aa.bb,parent=="ns/11/sha256:parent" | true
          labels."containerd.io/snapshot.ref"==sha256:aa.bb,parent=="x"   | false
          labels.plain                                                    | true
          labels.missing                                                  | false
          labels.missing!=v                                               | true
          labels."with space"=="x y"                                      | true
          name~=/sha256:a+[.]bb/                                          | true
          name~=^ns/1[0-9]/                                               | true
          name~=^other                                                    | false
          unknown==x                                                      | false
          """)
  void matchesLikeContainerd(String filter, boolean expected) {
    assertThat(Filters.parse(filter).match(Filters.adapt(INFO))).as(filter).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "name==",
        "==x",
        "name=x",
        "name==a b",
        "name==\"open",
        "labels.",
        "name==a,",
        "name<>x",
        "name~=/a\\./"
      })
  void rejectsMalformedFilters(String filter) {
    assertThatThrownBy(() -> Filters.parse(filter))
        .isInstanceOfSatisfying(
            SnapshotException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT));
  }

  @ParameterizedTest
  @CsvSource({"name==nope,kind==committed,true", "name==nope,kind==view,false"})
  void severalFiltersAreOred(String a, String b, boolean expected) {
    assertThat(Filters.parseAll(List.of(a, b)).match(Filters.adapt(INFO))).isEqualTo(expected);
  }
}
