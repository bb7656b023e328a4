package dev.finch.soci.lazy;

import dev.finch.soci.lazy.hosts.RegistryHosts;
import dev.finch.soci.lazy.index.ArtifactCache;
import dev.finch.soci.lazy.index.IndexResolver;
import dev.finch.soci.lazy.metrics.LazyMetrics;
import dev.finch.soci.lazy.mount.BackgroundFetcher;
import dev.finch.soci.lazy.mount.LayerMounts;
import dev.finch.soci.lazy.mount.LocalUnpacker;
import dev.finch.soci.lazy.mount.Recordings;
import dev.finch.soci.lazy.mount.SpanStore;
import dev.finch.soci.lazy.mount.Warmup;
import dev.finch.soci.snapshot.RemotePreparer;
import dev.finch.soci.spi.PluginConfig;
import dev.finch.soci.spi.PluginContext;
import dev.finch.soci.spi.RemotePreparerFactory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Plugs lazy loading into the daemon (registered for {@link java.util.ServiceLoader} in {@code
 * META-INF/services/dev.finch.soci.spi.RemotePreparerFactory}). Everything lives under {@code
 * <root>/soci}: {@code artifacts/} (indexes, zTOCs, prefetch artifacts and which index each image
 * uses), {@code spancache/} (fetched spans, kept across restarts), {@code record/} (what each
 * layer's reads touched, for {@code soci create --record}) and {@code warmup/}.
 */
public final class LazyPreparerFactory implements RemotePreparerFactory {
  @Override
  public RemotePreparer create(PluginContext context) throws IOException {
    PluginConfig config = context.config();
    Path dir = context.root().resolve("soci");
    RegistryHosts hosts = new RegistryHosts(config.mirrors(), config.registry());
    IndexResolver indexes =
        new IndexResolver(
            new ArtifactCache(dir.resolve("artifacts")), hosts::client, config.pullModes());
    LayerMounts mounts =
        new LayerMounts(
            SpanStore.open(dir.resolve("spancache"), config.spanCacheMaxBytes()),
            new BackgroundFetcher(config.backgroundFetch(), context.events()),
            context.events(),
            new Recordings(dir.resolve("record"), context.events()),
            config.nativeHandover());
    context.metrics().register(new LazyMetrics(mounts::stats));
    Warmup warmup = Warmup.start(dir.resolve("warmup"), context.events());
    return new LazyPreparer(
        indexes,
        hosts,
        mounts,
        warmup,
        new LocalUnpacker(),
        context.events(),
        config.prefetch(),
        java.time.Duration.ofSeconds(config.mountTimeoutSec()));
  }
}
