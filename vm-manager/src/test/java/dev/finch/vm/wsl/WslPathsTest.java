package dev.finch.vm.wsl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WslPathsTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      C:\\Users\\me\\src      | C:\\      | /mnt/c/Users/me/src
      D:/data/x              | C:\\      | /mnt/d/data/x
      src\\app               | E:\\work  | /mnt/e/work/src/app
      ..\\other              | C:\\a\\b  | /mnt/c/a/other
      /already/posix         | C:\\      | /already/posix
      C:\\                   | C:\\      | /mnt/c
      """)
  void convertsLikeFinch(String in, String cwd, String out) {
    assertThat(WslPaths.toWsl(in, cwd)).isEqualTo(out);
  }
}
