package dev.finch.soci.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.Digest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writer of the artifacts database with SIGKILL at random moments and checks what the next
 * reader finds: the file still parses, it holds every entry whose {@code put} had returned, and the
 * only extra entry is the one being written when the kill came. The writer is a child JVM on the
 * test classpath ({@link Writer}), because only a real kill stops a process between any two
 * instructions, including between the write of the temporary file and its rename.
 */
class ArtifactsDbCrashTest {
  private static final int ROUNDS = 6;
  private static final int MAX_RUN_MILLIS = 400;

  @TempDir Path tmp;

  /** The child process: adds entries {@code <round>/0, 1, 2, ...} one per call, forever. */
  static final class Writer {
    public static void main(String[] args) throws IOException {
      ArtifactsDb db = new ArtifactsDb(Path.of(args[0]));
      for (int i = 0; ; i++) {
        db.put(List.of(entry(args[1], i)));
        // Printed only after put returned: an acknowledged entry.
        System.out.println(i);
        System.out.flush();
      }
    }
  }

  static ArtifactEntry entry(String round, int i) {
    return new ArtifactEntry(
        digest(round, i),
        1000 + i,
        digest("layer-" + round, i),
        null,
        "linux/amd64",
        "soci",
        ArtifactType.SOCI_LAYER,
        "application/octet-stream",
        null,
        Instant.now(),
        1 << 22,
        null);
  }

  static Digest digest(String round, int i) {
    return Digest.sha256((round + "/" + i).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void killedWriterNeverLosesAnAcknowledgedEntryNorTearsTheFile() throws Exception {
    Path root = tmp.resolve("db");
    Files.createDirectories(root);
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Set<Digest> acknowledged = new HashSet<>();
    // Per killed round, the entry it was writing when the kill came: it may or may not be there.
    Set<Digest> inFlight = new HashSet<>();
    for (int round = 0; round < ROUNDS; round++) {
      String name = "r" + round;
      int acks = runAndKill(root, name, random.nextInt(MAX_RUN_MILLIS));
      String where = "seed " + seed + ", round " + round + ", " + acks + " acknowledged";
      IntStream.range(0, acks).forEach(i -> acknowledged.add(digest(name, i)));
      inFlight.add(digest(name, acks));

      List<ArtifactEntry> all = new ArtifactsDb(root).list();
      Set<Digest> present = new HashSet<>();
      all.forEach(e -> present.add(e.digest()));
      assertThat(present).as(where).hasSize(all.size()).containsAll(acknowledged);
      Set<Digest> unacknowledged = new HashSet<>(present);
      unacknowledged.removeAll(acknowledged);
      assertThat(unacknowledged).as(where).isSubsetOf(inFlight);
      // A killed writer leaves at most DurableFiles' one temporary file, never a pile of them.
      try (Stream<Path> files = Files.list(root)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as(where)
            .isSubsetOf("artifacts.json", "artifacts.lock", "artifacts.json.tmp");
      }
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ROUNDS);
  }

  /**
   * Starts a {@link Writer}, waits for its first acknowledgement (so it is inside its loop), lets
   * it run {@code millis} more, kills it with SIGKILL and returns how many entries it acknowledged.
   */
  private int runAndKill(Path root, String round, int millis) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx64m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            Writer.class.getName(),
            root.toString(),
            round);
    pb.redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("writer.log").toFile()));
    Process p = pb.start();
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch first = new CountDownLatch(1);
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                      lines.add(l);
                      first.countDown();
                    }
                  } catch (IOException e) {
                    // The pipe closes when the child dies; what was read is what counts.
                  }
                });
    try {
      assertThat(first.await(120, TimeUnit.SECONDS))
          .as(
              "writer acknowledged nothing; its stderr: %s",
              Files.readString(tmp.resolve("writer.log")))
          .isTrue();
      Thread.sleep(millis);
    } finally {
      p.destroyForcibly();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
    // 128 + SIGKILL: the child died from the kill, not from a failure of its own.
    assertThat(p.exitValue()).as(Files.readString(tmp.resolve("writer.log"))).isEqualTo(137);
    List<String> acks = List.copyOf(lines);
    for (int i = 0; i < acks.size(); i++) {
      assertThat(acks.get(i)).isEqualTo(Integer.toString(i));
    }
    return acks.size();
  }
}
