package dev.finch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppliedSettingsTest {
  private static FinchConfig config(int cpus, String vmType, List<String> snapshotters) {
    return FinchConfig.builder()
        .cpus(cpus)
        .memory("4GiB")
        .vmType(vmType)
        .snapshotters(snapshotters)
        .build();
  }

  @Test
  void reportsRestartAndInitOnlyChanges(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("applied");
    AppliedSettings.of(config(2, "vz", List.of())).write(f);
    AppliedSettings applied = AppliedSettings.read(f).orElseThrow();
    List<PendingChange> pending = applied.pending(config(4, "qemu", List.of("soci")));
    assertThat(pending)
        .extracting(PendingChange::message)
        .containsExactly(
            "cpus changed from 2 to 4 in finch.yaml; it takes effect after `finch vm stop` and `finch vm start`",
            "snapshotters changed from [] to [soci] in finch.yaml; it takes effect after `finch vm stop` and `finch vm start`",
            "vmType changed from vz to qemu in finch.yaml; it takes effect after `finch vm remove` and `finch vm init`");
    AppliedSettings restarted = applied.restartedWith(config(4, "qemu", List.of("soci")));
    assertThat(restarted.pending(config(4, "qemu", List.of("soci"))))
        .extracting(PendingChange::key)
        .containsExactly("vmType");
  }

  @Test
  void nothingRecordedMeansNothingPending(@TempDir Path dir) throws Exception {
    assertThat(AppliedSettings.read(dir.resolve("none"))).isEmpty();
  }
}
