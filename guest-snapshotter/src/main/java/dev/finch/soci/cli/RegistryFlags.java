package dev.finch.soci.cli;

import dev.finch.process.ProcessCommandRunner;
import dev.finch.soci.registry.RegistryClient;
import dev.finch.soci.registry.auth.DockerConfigCredentials;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Registry connection flags of the reference's {@code push} and {@code image rpull}. */
final class RegistryFlags {
  @Option(names = "--plain-http", description = "use plain http (no TLS) for the registry")
  boolean plainHttp;

  @Option(
      names = {"-k", "--skip-verify"},
      description = "do not verify the registry's TLS certificate")
  boolean skipVerify;

  @Option(
      names = {"-u", "--user"},
      description =
          "credentials as user[:password] (default: ~/.docker/config.json and its helpers)")
  String user;

  @Option(names = "--tlscacert", description = "CA certificate (PEM) to trust for the registry")
  Path caCert;

  @Option(
      names = "--hosts-dir",
      description = "accepted for compatibility with nerdctl; hosts.toml files are not read")
  String hostsDir;

  /** Whether any of these flags was given. */
  boolean given() {
    return plainHttp || skipVerify || user != null || caCert != null || hostsDir != null;
  }

  RegistryClient client(String registry) {
    RegistryClient.Builder b =
        RegistryClient.builder(registry)
            .credentials(DockerConfigCredentials.standardChain(user, new ProcessCommandRunner()))
            .plainHttp(plainHttp)
            .skipVerify(skipVerify);
    if (caCert != null) {
      b.caCertificate(caCert);
    }
    return b.build();
  }
}
