package dev.finch.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GuestVersionsTest {
  private static GuestVersions withContainerd(String version) {
    return new GuestVersions(
        Optional.empty(), List.of(), List.of(new Component("containerd", version, "r")));
  }

  @Test
  void containerdOlderThan16IsRefusedWithOneLine() {
    assertThat(withContainerd("v1.5.18").containerdProblem())
        .contains(
            "containerd v1.5.18 in the guest is too old: finch needs containerd 1.6 or newer");
    assertThat(withContainerd("1.4.13~ds1").containerdProblem()).isPresent();
  }

  @Test
  void theFloorIsTheGuestSocisFloor() throws Exception {
    // The guest code depends on no host module; its ContainerdVersion holds the same two numbers.
    String guest =
        java.nio.file.Files.readString(
            java.nio.file.Path.of(
                "../guest-snapshotter/src/main/java/dev/finch/soci/containerd/ContainerdVersion.java"));
    assertThat(guest)
        .contains("MIN_MAJOR = " + GuestVersions.MIN_CONTAINERD_MAJOR + ";")
        .contains("MIN_MINOR = " + GuestVersions.MIN_CONTAINERD_MINOR + ";");
  }

  @Test
  void supportedUnknownAndAbsentContainerdPass() {
    assertThat(withContainerd("1.6.20~ds1").containerdProblem()).isEmpty();
    assertThat(withContainerd("v1.7.24").containerdProblem()).isEmpty();
    assertThat(withContainerd("v2.2.1").containerdProblem()).isEmpty();
    assertThat(withContainerd("unknown").containerdProblem()).isEmpty();
    assertThat(new GuestVersions(Optional.empty(), List.of(), List.of()).containerdProblem())
        .isEmpty();
  }
}
