package dev.finch.soci.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Platform;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlatformSelectionTest {
  @Test
  void defaultIsTheHost() {
    assertThat(PlatformSelection.host().isDefault()).isTrue();
    assertThat(PlatformSelection.host().requested()).containsExactly(Platform.host());
  }

  @Test
  void allRequestsNothingInParticular() {
    assertThat(PlatformSelection.allPlatforms().all()).isTrue();
    assertThat(PlatformSelection.allPlatforms().requested()).isEmpty();
    assertThat(PlatformSelection.allPlatforms().isDefault()).isFalse();
  }

  @Test
  void explicitListIsKept() {
    PlatformSelection s =
        PlatformSelection.of(List.of(Platform.parse("linux/arm64"), Platform.parse("linux/amd64")));
    assertThat(s.requested())
        .extracting(Platform::toString)
        .containsExactly("linux/arm64", "linux/amd64");
    assertThatThrownBy(() -> PlatformSelection.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
