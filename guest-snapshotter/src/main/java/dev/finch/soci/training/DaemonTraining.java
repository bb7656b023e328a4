package dev.finch.soci.training;

import dev.finch.soci.containerd.ContainerdClient;
import dev.finch.soci.containerd.SnapshotClient;
import dev.finch.soci.daemon.DaemonConfig;
import dev.finch.soci.daemon.DaemonConfigLoader;
import dev.finch.soci.daemon.DaemonConfigWriter;
import dev.finch.soci.daemon.DaemonMain;
import dev.finch.soci.daemon.JsonLog;
import dev.finch.soci.daemon.LogLevel;
import dev.finch.soci.daemon.Wiring;
import dev.finch.soci.handoff.HandoffClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run for the daemon's ahead-of-time class cache ({@code scripts/make-launchers} runs
 * it once under {@code -XX:AOTCacheOutput}): the daemon starts in-process on a throwaway root and
 * socket with the real lazy-loading preparer, waits for its warm-up (zTOC, index JSON, FUSE mount
 * and read where FUSE works, HTTP client), answers a round of Snapshots calls over its socket, runs
 * an rpull handed off to it by {@link HandoffClient} against the stand-ins of {@link
 * SociCliTraining#pullPaths}, and stops. Nothing here is used at run time.
 */
public final class DaemonTraining {
  private DaemonTraining() {}

  public static void main(String[] args) throws Exception {
    Path tmp = Files.createTempDirectory("soci-daemon-aot-");
    ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    JsonLog log =
        new JsonLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), LogLevel.DEBUG);
    Path socket = tmp.resolve("run/soci.sock");
    // a config.toml through the writer and the TOML loader, as every daemon start reads one
    DaemonConfig config =
        DaemonConfigLoader.parse(
            "training.toml", DaemonConfigWriter.render(DaemonConfig.defaults()), warning -> {});
    try (Wiring w =
        Wiring.start(
            new Wiring.Settings(
                tmp.resolve("root"),
                socket,
                config,
                DaemonMain.factory(),
                log,
                null,
                DaemonMain.extensions()))) {
      long end = System.nanoTime() + 60_000_000_000L;
      while (!logBytes.toString(StandardCharsets.UTF_8).contains("warmup-done")
          && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      try (ContainerdClient c = ContainerdClient.connect(socket, "default")) {
        SnapshotClient s = c.snapshots("soci");
        s.prepare("train-a", "", Map.of());
        s.mounts("train-a");
        s.stat("train-a");
        s.commit("train-c", "train-a", Map.of());
        s.view("train-v", "train-c", Map.of());
        s.list();
        s.usage("train-c");
        s.remove("train-v");
        s.remove("train-c");
        s.cleanup();
      }
      PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
      SociCliTraining.pullPaths(
          tmp,
          (containerd, image) ->
              HandoffClient.run(
                  new String[] {
                    "--address", containerd.toString(), "image", "rpull", "--plain-http", image
                  },
                  Map.of("SOCI_SNAPSHOTTER_ADDRESS", socket.toString()),
                  tmp.toString(),
                  quiet,
                  quiet));
    } finally {
      delete(tmp);
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
