package dev.finch.soci.lazy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.ImageRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Staging every layer of an image at once, each once, for the one Prepare that takes it. */
class StagedLayersTest {
  private static final ImageRef REF = ImageRef.parse("127.0.0.1:5000/it/many:v1");
  private static final Digest MANIFEST = digest("manifest");

  private static Digest digest(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  private static List<Digest> layers(int n) {
    List<Digest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(digest("layer " + i));
    }
    return out;
  }

  private static CriLayer layer(Digest d) {
    return new CriLayer(REF.toString(), REF, MANIFEST, d, null);
  }

  @Test
  void everyListedLayerIsStagedOnceAndTakenByItsPrepare() throws Exception {
    Map<Digest, AtomicInteger> calls = new ConcurrentHashMap<>();
    StagedLayers<String> staged =
        new StagedLayers<>(
            (l, step) -> {
              calls.computeIfAbsent(l.layer(), d -> new AtomicInteger()).incrementAndGet();
              return "ready " + l.layer();
            });
    List<Digest> all = layers(40);
    staged.stageAll(layer(all.get(0)), all);
    // a later Prepare lists the layers above it again: nothing is staged twice
    staged.stageAll(layer(all.get(1)), all.subList(1, all.size()));
    assertThat(staged.size()).isEqualTo(40);
    for (Digest d : all) {
      assertThat(staged.take(layer(d)).result.get(10, TimeUnit.SECONDS)).isEqualTo("ready " + d);
    }
    assertThat(calls).hasSize(40);
    assertThat(calls.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
    assertThat(staged.size()).as("each staging is consumed by its Prepare").isZero();
  }

  @Test
  void atMostParallelStageAtOnceAndALayerNotListedIsStagedByItsPrepare() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    StagedLayers<Integer> staged =
        new StagedLayers<>(
            (l, step) -> {
              peak.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                release.await();
              } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
              } finally {
                running.decrementAndGet();
              }
              return 1;
            });
    List<Digest> all = layers(3 * StagedLayers.PARALLEL);
    staged.stageAll(layer(all.get(0)), all);
    // a Prepare whose layer nobody staged does not queue behind the others
    StagedLayers.Staging<Integer> own = staged.take(layer(digest("unlisted")));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (running.get() < StagedLayers.PARALLEL + 1 && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    Thread.sleep(100);
    assertThat(peak.get()).isEqualTo(StagedLayers.PARALLEL + 1);
    release.countDown();
    assertThat(own.result.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    for (Digest d : all) {
      assertThat(staged.take(layer(d)).result.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }
    assertThat(peak.get()).isEqualTo(StagedLayers.PARALLEL + 1);
  }

  @Test
  void aFailingLayerFailsOnlyItsOwnStagingAndAnAbandonedOneStops() throws Exception {
    List<Digest> all = layers(5);
    Digest bad = all.get(2);
    Digest slow = all.get(4);
    CountDownLatch interrupted = new CountDownLatch(1);
    StagedLayers<String> staged =
        new StagedLayers<>(
            (l, step) -> {
              if (l.layer().equals(bad)) {
                throw new IOException("zTOC of " + bad + ": 404");
              }
              if (l.layer().equals(slow)) {
                try {
                  Thread.sleep(60_000);
                } catch (InterruptedException e) {
                  interrupted.countDown();
                  throw new java.io.InterruptedIOException();
                }
              }
              return "ok";
            });
    staged.stageAll(layer(all.get(0)), all);
    for (Digest d : all.subList(0, 2)) {
      assertThat(staged.take(layer(d)).result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    }
    StagedLayers.Staging<String> failed = staged.take(layer(bad));
    assertThatThrownBy(() -> failed.result.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseMessage("zTOC of " + bad + ": 404");
    assertThat(failed.ahead).isTrue();
    assertThat(staged.take(layer(all.get(3))).result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    StagedLayers.Staging<String> s = staged.take(layer(slow));
    s.abandon();
    assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the staging was interrupted").isTrue();
    assertThat(s.result).isCompletedExceptionally();
    assertThat(staged.size()).isZero();
  }
}
