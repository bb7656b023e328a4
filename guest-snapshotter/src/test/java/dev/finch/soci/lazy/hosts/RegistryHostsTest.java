package dev.finch.soci.lazy.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.ImageRef;
import dev.finch.soci.registry.auth.CredentialRetriever;
import dev.finch.soci.spi.PluginConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One client per registry host; plain HTTP only for insecure self-mirrors and loopback. */
class RegistryHostsTest {
  static final Map<String, List<PluginConfig.Mirror>> MIRRORS =
      Map.of(
          "plain.example:5000", List.of(new PluginConfig.Mirror("plain.example:5000", true)),
          "mirrored.example", List.of(new PluginConfig.Mirror("other.example", true)),
          "secure.example", List.of(new PluginConfig.Mirror("secure.example", false)));

  @Test
  void onlyInsecureMirrorsOfThemselvesArePlainHttp() {
    assertThat(RegistryHosts.plainHttpHosts(MIRRORS)).containsExactly("plain.example:5000");
  }

  @Test
  void eachHostHasOneClientWithItsScheme() {
    AtomicInteger chains = new AtomicInteger();
    try (RegistryHosts hosts =
        new RegistryHosts(
            MIRRORS,
            () -> {
              chains.incrementAndGet();
              return CredentialRetriever.anonymous();
            })) {
      var plain = hosts.client(ImageRef.parse("plain.example:5000/a/b:1"));
      assertThat(hosts.client(ImageRef.parse("plain.example:5000/c:2"))).isSameAs(plain);
      assertThat(plain.baseUri().toString()).isEqualTo("http://plain.example:5000");
      assertThat(hosts.client(ImageRef.parse("mirrored.example/a:1")).baseUri().getScheme())
          .isEqualTo("https");
      assertThat(hosts.client(ImageRef.parse("secure.example/a:1")).baseUri().getScheme())
          .isEqualTo("https");
      assertThat(hosts.client(ImageRef.parse("127.0.0.1:5000/a:1")).baseUri().getScheme())
          .as("a registry on this machine")
          .isEqualTo("http");
      assertThat(hosts.client(ImageRef.parse("busybox")).baseUri().toString())
          .as("Docker Hub by its endpoint host")
          .isEqualTo("https://registry-1.docker.io");
      assertThat(chains).as("one credential chain per client").hasValue(5);
    }
  }
}
