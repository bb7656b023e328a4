package dev.finch.soci.fs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.fs.LayerTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountOptionsTest {
  @TempDir Path tmp;

  @Test
  void defaultsMatchSociButCacheForADay() {
    MountOptions o = MountOptions.defaults();
    assertThat(o.fuseOptionString()).isEqualTo("ro,fsname=soci,subtype=rawBridge,allow_other,suid");
    assertThat(o.attrTimeout()).isEqualTo(Duration.ofDays(1));
    assertThat(o.entryTimeout()).isEqualTo(Duration.ofDays(1));
    assertThat(o.negativeTimeout()).isEqualTo(Duration.ofDays(1));
    assertThat(o.defaultPermissions()).isFalse();
  }

  @Test
  void optionalFlags() {
    MountOptions o =
        new MountOptions(
            "x", "", false, false, true, Duration.ZERO, Duration.ZERO, Duration.ZERO, null, 1);
    assertThat(o.fuseOptionString()).isEqualTo("ro,fsname=x,nosuid,default_permissions");
    assertThat(MountOptions.seconds(Duration.ofMillis(1500))).isEqualTo(1.5);
  }

  @Test
  void rejectsValuesThatWouldInjectOptions() {
    assertThatThrownBy(
            () ->
                new MountOptions(
                    "soci,dev",
                    "",
                    true,
                    true,
                    false,
                    Duration.ZERO,
                    Duration.ZERO,
                    Duration.ZERO,
                    null,
                    1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("soci,dev");
    assertThatThrownBy(
            () ->
                new MountOptions(
                    "soci",
                    "",
                    true,
                    true,
                    false,
                    Duration.ZERO,
                    Duration.ZERO,
                    Duration.ZERO,
                    null,
                    0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mountingOnANonDirectoryFailsBeforeTouchingFuse() throws IOException {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    LayerTree tree = LayerTree.build(List.of());
    assertThatThrownBy(() -> LayerMount.mount(file, tree, (f, off, dst) -> 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a directory");
    assertThatThrownBy(() -> LayerMount.mount(tmp.resolve("missing"), tree, (f, off, dst) -> 0))
        .isInstanceOf(IOException.class);
  }
}
