package dev.finch.soci.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.testkit.ContainerdFixture;
import dev.finch.testkit.ContainerdProcess;
import dev.finch.testkit.image.TarLayer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Containers that read files of a lazily mounted layer block by block and check every block: the
 * layer holds {@link #FILES} random files {@code /data/fNN.bin} of {@link #FILE_SIZE} bytes (file
 * {@code n} made from seed {@code seedBase + n}); a reading container runs one {@code dd} per
 * {@link #BLOCK} and hashes it, stopping at the first block that fails. {@link #read} asserts that
 * every block read is the right one, so a test that injects faults only has to say whether it
 * expects the whole file or an error.
 */
final class BlockReads {
  static final int FILES = 16;
  static final int FILE_SIZE = 1 << 20;
  static final int BLOCK = 64 * 1024;

  /** The read budget of the daemon the fault tests run, {@code [blob] fetching_timeout_sec}. */
  static final long FETCH_TIMEOUT_SEC = 10;

  /**
   * The daemon's config for the fault tests: that budget, and no background fetch or prefetch, so
   * only container reads fetch.
   */
  static final String CONFIG =
      """
      [blob]
      fetching_timeout_sec = %d
      [background_fetch]
      disable = true
      [prefetch]
      enable = false
      """
          .formatted(FETCH_TIMEOUT_SEC);

  /** The error a container sees when the daemon answers a read with EIO. */
  static final String EIO = "Input/output error";

  private final Supplier<ContainerdFixture> containerd;
  private final String ref;
  private final int seedBase;
  private final AtomicInteger runs = new AtomicInteger();
  private volatile Supplier<String> daemonLog = () -> "";

  BlockReads(Supplier<ContainerdFixture> containerd, String ref, int seedBase) {
    this.containerd = containerd;
    this.ref = ref;
    this.seedBase = seedBase;
  }

  /** What a failed run's message shows of the daemon's log (its last lines). */
  BlockReads showing(Supplier<String> log) {
    this.daemonLog = log;
    return this;
  }

  /**
   * Indexes the image at {@code registryRef} as a CI job would (256 KiB spans; the busybox layer
   * stays below the minimum, so only the data layer is lazy) and pulls it lazily from {@code
   * pullRef} (the same image, e.g. through a proxy); asserts both worked.
   */
  static void indexAndPull(
      ContainerdFixture containerd,
      java.nio.file.Path cli,
      String registryRef,
      String pullRef,
      Supplier<String> daemonLog) {
    dev.finch.soci.testing.SociRuns.publishIndex(
        containerd, cli, registryRef, "--span-size", "262144", "--min-layer-size", "4000000");
    dev.finch.soci.testing.SociRuns.Run pull =
        dev.finch.soci.testing.SociRuns.rpull(containerd, cli, pullRef);
    assertThat(pull.rc()).as("%s\n%s\n%s", pull.out(), pull.err(), daemonLog.get()).isZero();
    assertThat(daemonLog.get()).contains("\"event\":\"remote-snapshot-prepared\"");
  }

  /** The data layer: {@code /data} and its {@link #FILES} files. */
  static TarLayer layer(int seedBase) {
    TarLayer.Builder data = TarLayer.builder().dir("data");
    for (int i = 0; i < FILES; i++) {
      data.randomFile(String.format("data/f%02d.bin", i), FILE_SIZE, seedBase + i);
    }
    return data.build();
  }

  /** What a container saw reading one file block by block. */
  record Reading(int file, List<String> blocks, String error, double seconds, String output) {
    boolean complete() {
      return error == null && blocks.size() == FILE_SIZE / BLOCK;
    }
  }

  static String tail(String log) {
    List<String> lines = log.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /**
   * Reads file {@code f} in a new container and checks each block read; a failing block must fail
   * with one of {@code errors} (default: EIO).
   */
  Reading read(int f, String... errors) throws Exception {
    String path = String.format("/data/f%02d.bin", f);
    String script =
        "i=0; while [ $i -lt "
            + FILE_SIZE / BLOCK
            + " ]; do dd if="
            + path
            + " bs="
            + BLOCK
            + " skip=$i count=1 of=/tmp/b 2>/tmp/e || { echo \"ERR $(cat /tmp/e)\"; exit 0; };"
            + " sha256sum /tmp/b; i=$((i+1)); done";
    long t0 = System.nanoTime();
    ContainerdProcess.Result run =
        containerd
            .get()
            .ctr(
                "run",
                "--rm",
                "--snapshotter",
                "soci",
                ref,
                "reads-" + ProcessHandle.current().pid() + "-" + runs.incrementAndGet(),
                "sh",
                "-c",
                script);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertThat(run.ok())
        .as("run (exit %d): %s\ndaemon: %s", run.exitCode(), run.output(), tail(daemonLog.get()))
        .isTrue();
    byte[] want = TarLayer.randomBytes(seedBase + f, FILE_SIZE);
    List<String> blocks = new ArrayList<>();
    String error = null;
    for (String line : run.stdout().strip().lines().toList()) {
      if (line.startsWith("ERR ")) {
        error = line.substring(4);
        break;
      }
      blocks.add(line.split("\\s+")[0]);
    }
    for (int i = 0; i < blocks.size(); i++) {
      assertThat(blocks.get(i))
          .as("block %d of %s: never a wrong byte", i, path)
          .isEqualTo(sha256(Arrays.copyOfRange(want, i * BLOCK, (i + 1) * BLOCK)));
    }
    if (error != null) {
      assertThat(error)
          .as("the failure a container sees")
          .containsAnyOf(errors.length == 0 ? new String[] {EIO} : errors);
    }
    return new Reading(f, blocks, error, seconds, run.output());
  }
}
