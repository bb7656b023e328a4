package dev.finch.soci.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.soci.fs.TestTar;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.oci.Platform;
import dev.finch.soci.store.ArtifactType;
import dev.finch.soci.store.ArtifactsDb;
import dev.finch.soci.store.LocalContentStore;
import dev.finch.soci.ztoc.ZtocBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zTOCs of several layers are built at once, up to the parallelism, and the result does not depend
 * on it: the same index bytes, outcomes reported in layer order, and a failing layer fails the
 * whole index with nothing recorded.
 */
class IndexCreatorConcurrencyTest {
  static final int LAYERS = 6;
  @TempDir Path dir;
  final Map<Digest, byte[]> blobs = new HashMap<>();
  final List<Descriptor> layers = new ArrayList<>();
  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger mostAtOnce = new AtomicInteger();
  Manifest image;
  Descriptor imageDesc;

  @BeforeEach
  void image() throws Exception {
    for (int i = 0; i < LAYERS; i++) {
      TestTar t = new TestTar().file("data/f" + i, TestTar.bytes(50_000 + i * 1000, i));
      byte[] b = Files.readAllBytes(t.write(dir.resolve("layer" + i + ".tar")));
      Digest d = Digest.sha256(b);
      blobs.put(d, b);
      layers.add(Descriptor.of(MediaTypes.OCI_LAYER_TAR, d, b.length));
    }
    Descriptor config = Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(new byte[] {1}), 1);
    image = new Manifest(2, MediaTypes.OCI_MANIFEST, null, config, layers, null, null);
    imageDesc =
        Descriptor.of(
            MediaTypes.OCI_MANIFEST, Digest.sha256("image".getBytes(StandardCharsets.UTF_8)), 500);
  }

  /** The real zTOC builder, counting the builds in progress; {@code gate} holds each one. */
  ZtocMaker counting(CountDownLatch gate) {
    return (layer, compression, in, spanSize) -> {
      int now = running.incrementAndGet();
      mostAtOnce.accumulateAndGet(now, Math::max);
      try {
        gate.countDown();
        // every build waits until `gate` opens: with a parallelism of n, n builds are let in
        if (!gate.await(10, TimeUnit.SECONDS)) {
          throw new IOException("the other builds never started");
        }
        return new ZtocMaker.Made(
            new ZtocBuilder(spanSize).build(in, compression, layer.digest()).encoded(), false);
      } catch (InterruptedException e) {
        throw new IOException(e);
      } finally {
        running.decrementAndGet();
      }
    };
  }

  IndexCreator.Result create(String name, ZtocMaker maker, int parallelism, List<LayerOutcome> seen)
      throws IOException {
    IndexCreator c =
        new IndexCreator(
            new LocalContentStore(dir.resolve(name + "/content")),
            new ArtifactsDb(dir.resolve(name + "/root")),
            maker,
            l -> new ByteArrayInputStream(blobs.get(l.digest())),
            "soci",
            parallelism);
    return c.create(
        imageDesc,
        image,
        Platform.parse("linux/amd64"),
        SociIndex.Version.V1,
        new IndexOptions(8192, 0, false, false),
        "img:1",
        seen::add);
  }

  @Test
  void layersAreBuiltAtOnceUpToTheParallelismAndTheIndexIsTheSame() throws Exception {
    List<LayerOutcome> serialSeen = new ArrayList<>();
    SociIndex serial =
        create("serial", counting(new CountDownLatch(1)), 1, serialSeen).index().orElseThrow();
    assertThat(mostAtOnce.get()).isEqualTo(1);

    mostAtOnce.set(0);
    List<LayerOutcome> parallelSeen = new ArrayList<>();
    SociIndex parallel =
        create("parallel", counting(new CountDownLatch(3)), 3, parallelSeen).index().orElseThrow();
    assertThat(mostAtOnce.get()).as("builds in progress at once").isEqualTo(3);

    assertThat(parallel.bytes()).isEqualTo(serial.bytes());
    assertThat(parallelSeen).extracting(LayerOutcome::layer).containsExactlyElementsOf(layers);
    assertThat(serialSeen).extracting(LayerOutcome::layer).containsExactlyElementsOf(layers);
    assertThat(parallel.manifest().layers())
        .extracting(d -> d.annotation(MediaTypes.ANN_IMAGE_LAYER_DIGEST))
        .containsExactlyElementsOf(layers.stream().map(l -> l.digest().toString()).toList());
  }

  @Test
  void aFailingLayerFailsTheIndexAndNothingIsRecorded() {
    Descriptor bad = layers.get(2);
    ZtocMaker real = counting(new CountDownLatch(1));
    ZtocMaker failing =
        (layer, compression, in, spanSize) -> {
          if (layer.equals(bad)) {
            throw new IOException("unexpected EOF in layer " + layer.digest());
          }
          return real.make(layer, compression, in, spanSize);
        };
    List<LayerOutcome> seen = new ArrayList<>();
    assertThatThrownBy(() -> create("failing", failing, 4, seen))
        .isInstanceOf(IOException.class)
        .hasMessage("unexpected EOF in layer " + bad.digest());
    assertThat(seen).extracting(LayerOutcome::layer).containsExactly(layers.get(0), layers.get(1));
    assertThat(running.get()).as("no build is left running").isZero();
    ArtifactsDb db = new ArtifactsDb(dir.resolve("failing/root"));
    assertThat(catchIo(() -> db.find(e -> e.type() == ArtifactType.SOCI_INDEX))).isEmpty();
  }

  interface IoSupplier<T> {
    T get() throws IOException;
  }

  static <T> T catchIo(IoSupplier<T> s) {
    try {
      return s.get();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
