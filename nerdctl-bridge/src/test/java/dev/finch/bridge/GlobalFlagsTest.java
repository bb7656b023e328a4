package dev.finch.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The options before finch's command: which are nerdctl's, where the command starts. */
class GlobalFlagsTest {
  static final Set<String> OWN = Set.of("--help", "--version");

  static GlobalFlags.Leading leading(String argv) {
    return GlobalFlags.leading(Arrays.asList(argv.split(" ")), OWN);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      --address S images                     | 2
      --address=S images                     | 1
      -a S -H T --host U -n ns ps            | 8
      -nns --storage-driver soci pull x      | 3
      --debug --debug-full --insecure-registry --experimental --kube-hide-dupe ps | 5
      --debug=false --insecure-registry=true ps | 2
      --namespace --bogus images             | 2
      --help images                          | 1
      images --bogus                         | 0
      """)
  void theCommandStartsAfterTheGlobalOptionsAndTheirValues(String argv, int command) {
    GlobalFlags.Leading l = leading(argv);
    assertThat(l.command()).isEqualTo(command);
    assertThat(l.problem()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      --address S --bogus           | Unknown option: '--bogus'
      --address=S --bogus S images  | Unknown option: '--bogus'
      -x --address S                | Unknown option: '-x'
      --bogus=1                     | Unknown option: '--bogus=1'
      --debug --ns=x                | Unknown option: '--ns=x'
      -zq                           | Unknown option: '-zq'
      --bogus --other               | Unknown option: '--bogus'
      --namespace                   | Missing required parameter for option '--namespace'
      --debug -n                    | Missing required parameter for option '-n'
      """)
  void theFirstUnknownOptionIsNamedAlone(String argv, String problem) {
    assertThat(leading(argv).problem()).contains(problem);
  }

  @Test
  void finchsOwnCommandsSeeOnlyFinchsOwnOptions() {
    List<String> args =
        List.of("--address", "S", "--debug", "-nk8s.io", "--help", "--host=T", "vm", "-n", "x");
    assertThat(GlobalFlags.withoutGlobals(args, GlobalFlags.leading(args, OWN)))
        .containsExactly("--debug", "--help", "vm", "-n", "x");
  }
}
