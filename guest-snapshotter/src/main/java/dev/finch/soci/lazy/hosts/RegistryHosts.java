package dev.finch.soci.lazy.hosts;

import dev.finch.process.ProcessCommandRunner;
import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.registry.auth.CredentialRetriever;
import dev.finch.soci.registry.auth.DockerConfigCredentials;
import dev.finch.soci.spi.PluginConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One registry client per host, made on first use and closed with this object. A host is spoken to
 * over plain HTTP when {@code [resolver]} lists it as an insecure mirror of itself, or when it is
 * on this machine (as the reference does); everything else is HTTPS.
 */
public final class RegistryHosts implements AutoCloseable {
  private final Set<String> plainHttpHosts;
  private final Supplier<CredentialRetriever> credentials;
  private final PluginConfig.Registry limits;
  private final Map<String, RegistryClient> clients = new ConcurrentHashMap<>();

  /**
   * Hosts configured by {@code mirrors}, with the Docker credential chain (config.json, helpers).
   */
  public RegistryHosts(
      Map<String, List<PluginConfig.Mirror>> mirrors, PluginConfig.Registry limits) {
    this(
        mirrors,
        () -> DockerConfigCredentials.standardChain(null, new ProcessCommandRunner()),
        limits);
  }

  /**
   * Hosts configured by {@code mirrors}, with the default time bounds and retries; {@code
   * credentials} makes each new client's chain.
   */
  public RegistryHosts(
      Map<String, List<PluginConfig.Mirror>> mirrors, Supplier<CredentialRetriever> credentials) {
    this(mirrors, credentials, PluginConfig.Registry.DEFAULT);
  }

  /** Hosts configured by {@code mirrors}, with {@code limits} on every client's calls. */
  public RegistryHosts(
      Map<String, List<PluginConfig.Mirror>> mirrors,
      Supplier<CredentialRetriever> credentials,
      PluginConfig.Registry limits) {
    this.plainHttpHosts = plainHttpHosts(mirrors);
    this.credentials = credentials;
    this.limits = limits;
  }

  /** The hosts that are insecure mirrors of themselves: reached over plain HTTP. */
  static Set<String> plainHttpHosts(Map<String, List<PluginConfig.Mirror>> mirrors) {
    Set<String> hosts = new TreeSet<>();
    mirrors.forEach(
        (host, list) -> {
          if (list.stream().anyMatch(m -> m.insecure() && m.host().equals(host))) {
            hosts.add(host);
          }
        });
    return Set.copyOf(hosts);
  }

  /** The client of the registry {@code ref} lives in ({@code docker.io} is its endpoint host). */
  public RegistryClient client(ImageRef ref) {
    return clients.computeIfAbsent(
        ref.endpointHost(),
        h ->
            RegistryClient.builder(h)
                .credentials(credentials.get())
                .plainHttpHosts(plainHttpHosts)
                .plainHttp(RegistryClient.isLoopback(h))
                .timeouts(limits.timeouts())
                .retryPolicy(limits.retry())
                .blobRetryPolicy(limits.blobRetry())
                .build());
  }

  /** Closes every client made so far. */
  @Override
  public void close() {
    clients.values().forEach(RegistryClient::close);
    clients.clear();
  }
}
