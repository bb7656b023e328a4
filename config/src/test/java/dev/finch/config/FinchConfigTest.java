package dev.finch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FinchConfigTest {
  @Test
  void theBuildersDefaultsAreFinchsForTheSmallestHost() {
    HostFacts small =
        new HostFacts(HostOs.LINUX, "x86_64", 1, 1L << 30, 0, Path.of("/root"), Map.of());
    assertThat(FinchConfig.builder().build()).isEqualTo(Defaults.config(small));
    FinchConfig c = FinchConfig.builder().build();
    assertThat(c.memory()).hasToString("2GiB");
    assertThat(c.autoVmStart()).isTrue();
    assertThat(c.bootdisk().bytes()).isEqualTo(100L << 30);
    assertThat(c.datadisk().bytes()).isEqualTo(50L << 30);
    assertThat(c.vmType()).isEmpty();
  }

  @Test
  void toBuilderChangesOnlyTheKeysItIsTold() {
    FinchConfig mac = Defaults.config(TestHosts.of(HostOs.MACOS));
    FinchConfig more = mac.toBuilder().cpus(6).snapshotters(List.of("soci")).build();
    assertThat(more.cpus()).isEqualTo(6);
    assertThat(more.sociEnabled()).isTrue();
    assertThat(more.toBuilder().cpus(mac.cpus()).snapshotters(List.of()).build()).isEqualTo(mac);
  }
}
