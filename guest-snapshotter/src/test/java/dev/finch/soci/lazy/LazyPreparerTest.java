package dev.finch.soci.lazy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.lazy.hosts.RegistryHosts;
import dev.finch.soci.lazy.index.ArtifactCache;
import dev.finch.soci.lazy.index.IndexResolver;
import dev.finch.soci.lazy.mount.BackgroundFetcher;
import dev.finch.soci.lazy.mount.LayerMounts;
import dev.finch.soci.lazy.mount.LocalUnpacker;
import dev.finch.soci.lazy.mount.SpanStore;
import dev.finch.soci.oci.Descriptor;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import dev.finch.soci.oci.Manifest;
import dev.finch.soci.oci.MediaTypes;
import dev.finch.soci.registry.FakeServer;
import dev.finch.soci.registry.auth.CredentialRetriever;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.spi.EventSink;
import dev.finch.soci.spi.PluginConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-layer decisions that need neither FUSE nor root: when a Prepare goes to containerd. */
class LazyPreparerTest {
  @TempDir Path dir;

  record Event(String event, Map<String, Object> fields) {}

  /** A preparer on a temp root, with background fetching off, reporting to {@code sink}. */
  private LazyPreparer preparer(EventSink sink, java.time.Duration mountTimeout)
      throws java.io.IOException {
    RegistryHosts hosts = new RegistryHosts(Map.of(), CredentialRetriever::anonymous);
    PluginConfig.BackgroundFetch off = new PluginConfig.BackgroundFetch(true, 1, 0, -1);
    return new LazyPreparer(
        new IndexResolver(
            new ArtifactCache(dir.resolve("artifacts")),
            hosts::client,
            new PluginConfig.PullModes(true, true)),
        hosts,
        new LayerMounts(
            SpanStore.open(dir.resolve("spans"), 0),
            new BackgroundFetcher(off, sink),
            sink,
            new dev.finch.soci.lazy.mount.Recordings(dir.resolve("record"), sink),
            false),
        () -> {},
        new LocalUnpacker(),
        sink,
        true,
        mountTimeout);
  }

  @Test
  void deferWithoutTheCriLabelsAndForAnImageWithoutAnIndex() throws Exception {
    byte[] manifest =
        Json.bytes(
            new Manifest(
                2,
                MediaTypes.OCI_MANIFEST,
                null,
                Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(new byte[] {0}), 1),
                List.of(),
                null,
                null));
    Digest digest = Digest.sha256(manifest);
    List<Event> events = new CopyOnWriteArrayList<>();
    EventSink sink =
        (level, event, message, fields) -> events.add(new Event(event, Map.copyOf(fields)));
    try (FakeServer server =
        new FakeServer(
            ex -> {
              boolean isManifest =
                  ex.getRequestURI().getPath().equals("/v2/app/manifests/" + digest);
              ex.getResponseHeaders().set("Content-Type", MediaTypes.OCI_MANIFEST);
              FakeServer.send(
                  ex,
                  isManifest ? 200 : 404,
                  isManifest ? manifest : "{}".getBytes(StandardCharsets.UTF_8));
            })) {
      try (LazyPreparer p = preparer(sink, java.time.Duration.ofSeconds(30))) {
        Path fs = Files.createDirectories(dir.resolve("fs"));
        assertThat(p.tryPrepare("k1", fs, Map.of()))
            .isEqualTo(
                new RemotePreparer.Defer(
                    "missing CRI labels (image-ref, manifest-digest, layer-digest)"));

        String image = server.hostPort() + "/app:1";
        Map<String, String> labels =
            Map.of(
                CriLayer.LABEL_IMAGE_REF, image,
                CriLayer.LABEL_MANIFEST, digest.toString(),
                CriLayer.LABEL_LAYER, Digest.sha256(new byte[] {1}).toString());
        RemotePreparer.Outcome o = p.tryPrepare("k2", fs, labels);
        assertThat(o).isInstanceOf(RemotePreparer.Defer.class);
        assertThat(((RemotePreparer.Defer) o).reason())
            .startsWith("no SOCI index found for image manifest " + digest);
        assertThat(events)
            .extracting(Event::event)
            .containsExactly("defer-snapshot-runtime", "defer-snapshot-runtime");
        assertThat(events.get(1).fields()).containsEntry("image", image).containsEntry("key", "k2");
        assertThat(fs).isEmptyDirectory();
      }
    }
  }

  @Test
  void aRegistryThatDoesNotAnswerWithinMountTimeoutSecLeavesTheLayerToContainerd()
      throws Exception {
    List<Event> events = new CopyOnWriteArrayList<>();
    EventSink sink =
        (level, event, message, fields) -> events.add(new Event(event, Map.copyOf(fields)));
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    // accepts and reads, never answers: only the mount's budget ends the wait for the index
    try (FakeServer server =
        new FakeServer(
            ex -> {
              try {
                done.await(60, java.util.concurrent.TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })) {
      try (LazyPreparer p = preparer(sink, java.time.Duration.ofSeconds(1))) {
        Path fs = Files.createDirectories(dir.resolve("fs"));
        Map<String, String> labels =
            Map.of(
                CriLayer.LABEL_IMAGE_REF, server.hostPort() + "/app:1",
                CriLayer.LABEL_MANIFEST, Digest.sha256(new byte[] {2}).toString(),
                CriLayer.LABEL_LAYER, Digest.sha256(new byte[] {3}).toString());
        long t0 = System.nanoTime();
        RemotePreparer.Outcome o = p.tryPrepare("k", fs, labels);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(o)
            .isEqualTo(
                new RemotePreparer.Defer(
                    "mount_timeout_sec (1 s) passed while resolving the SOCI index"));
        assertThat(seconds).isBetween(0.9, 3.0);
        assertThat(events).extracting(Event::event).containsExactly("defer-snapshot-runtime");
      } finally {
        done.countDown();
      }
    }
  }
}
