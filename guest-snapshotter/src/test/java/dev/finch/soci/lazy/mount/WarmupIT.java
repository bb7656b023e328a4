package dev.finch.soci.lazy.mount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.spi.EventSink;
import dev.finch.testkit.ContainerdFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's warm-up runs every part of the lazy-loading path and leaves nothing behind. */
class WarmupIT {
  @TempDir Path tmp;

  @Test
  void everyPartRunsAndTheRemoteReadReturnsTheLayersBytes() throws Exception {
    ContainerdFixture.assumeRoot(); // FUSE
    List<Map<String, Object>> events = new ArrayList<>();
    EventSink sink =
        new EventSink() {
          @Override
          public void event(String level, String event, String message, Map<String, ?> fields) {
            if (event.equals("warmup-done")) {
              events.add(Map.copyOf(fields));
            }
          }
        };
    Path dir = tmp.resolve("warmup");
    Warmup.run(dir, sink);
    assertThat(events).hasSize(1);
    Map<String, Object> f = events.getFirst();
    assertThat(f).doesNotContainKey("error");
    assertThat(f)
        .containsEntry("fuse", true)
        .containsEntry("http", true)
        .containsEntry("remote", true);
    assertThat(Files.exists(dir.resolve("remote"))).as("its files are removed").isFalse();
    // (remote: true says the read fetched at least one checkpoint window as well)
  }
}
