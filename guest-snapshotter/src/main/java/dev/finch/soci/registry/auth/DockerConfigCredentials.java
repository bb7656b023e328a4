package dev.finch.soci.registry.auth;

import dev.finch.process.CommandRunner;
import dev.finch.soci.oci.Json;
import dev.finch.soci.registry.json.DockerConfigFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from a docker {@code config.json}, in docker's order: {@code credHelpers[host]}, then
 * {@code credsStore}, then the {@code auths} entry. Docker Hub is looked up under {@value
 * #DOCKER_HUB_KEY}. A missing file means no credentials.
 */
public final class DockerConfigCredentials implements CredentialRetriever {
  /** The key docker uses for Docker Hub in {@code auths} and with helpers. */
  public static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

  private final Path configFile;
  private final CommandRunner runner;

  /** Reads {@code configFile} (need not exist) and runs helpers through {@code runner}. */
  public DockerConfigCredentials(Path configFile, CommandRunner runner) {
    this.configFile = configFile;
    this.runner = runner;
  }

  /**
   * The config docker itself would read: {@code $DOCKER_CONFIG/config.json}, else {@code
   * ~/.docker/config.json}.
   */
  public static Path defaultConfigFile(Map<String, String> env, Path home) {
    String dir = env.get("DOCKER_CONFIG");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir, "config.json");
    }
    return home.resolve(".docker").resolve("config.json");
  }

  /**
   * The chain the CLIs use: {@code --user user[:password]} when given, then the docker config of
   * this process's environment ({@code DOCKER_CONFIG} or {@code ~/.docker}).
   */
  public static CredentialRetriever standardChain(String userFlag, CommandRunner runner) {
    return standardChain(
        userFlag, System.getenv(), Path.of(System.getProperty("user.home")), runner);
  }

  /**
   * {@link #standardChain(String, CommandRunner)} for the environment {@code env} and home {@code
   * home}.
   */
  public static CredentialRetriever standardChain(
      String userFlag, Map<String, String> env, Path home, CommandRunner runner) {
    CredentialRetriever docker = new DockerConfigCredentials(defaultConfigFile(env, home), runner);
    return userFlag == null || userFlag.isEmpty()
        ? docker
        : CredentialRetriever.chain(
            java.util.List.of(CredentialRetriever.explicit(userFlag), docker));
  }

  @Override
  public Optional<Credential> retrieve(String registryHost) {
    if (!Files.isRegularFile(configFile)) {
      return Optional.empty();
    }
    DockerConfigFile config;
    try {
      config = Json.read(Files.readAllBytes(configFile), DockerConfigFile.class);
    } catch (IOException e) {
      throw new CredentialException("reading " + configFile + ": " + Json.problem(e), e);
    }
    if (config == null) {
      return Optional.empty(); // "null": no credentials, as Go's json.Unmarshal leaves it
    }
    String key = serverKey(registryHost);
    String helper = helperFor(config, registryHost, key);
    if (helper != null && !helper.isEmpty()) {
      return new DockerCredentialHelper(helper, runner).get(key);
    }
    if (config.credsStore() != null && !config.credsStore().isEmpty()) {
      Optional<Credential> c = new DockerCredentialHelper(config.credsStore(), runner).get(key);
      if (c.isPresent()) {
        return c;
      }
    }
    return fromAuths(config, registryHost, key);
  }

  /**
   * The name docker stores credentials under: the host, or {@value #DOCKER_HUB_KEY} for Docker Hub.
   */
  public static String serverKey(String registryHost) {
    return switch (registryHost) {
      case "docker.io", "index.docker.io", "registry-1.docker.io" -> DOCKER_HUB_KEY;
      default -> registryHost;
    };
  }

  private static String helperFor(DockerConfigFile config, String host, String key) {
    String h = config.credHelpers().get(key);
    return h != null ? h : config.credHelpers().get(host);
  }

  private Optional<Credential> fromAuths(DockerConfigFile config, String host, String key) {
    for (Map.Entry<String, DockerConfigFile.AuthEntry> e : config.auths().entrySet()) {
      if (!e.getKey().equals(key) && !hostOf(e.getKey()).equals(hostOf(key))) {
        continue;
      }
      DockerConfigFile.AuthEntry a = e.getValue();
      if (a == null) {
        continue;
      }
      if (a.identitytoken() != null && !a.identitytoken().isEmpty()) {
        return Optional.of(new Credential(Credential.IDENTITY_TOKEN_USER, a.identitytoken()));
      }
      if (a.auth() != null && !a.auth().isEmpty()) {
        return Optional.of(decodeAuth(a.auth(), e.getKey()));
      }
      if (a.username() != null && !a.username().isEmpty()) {
        return Optional.of(new Credential(a.username(), a.password()));
      }
    }
    return Optional.empty();
  }

  private Credential decodeAuth(String auth, String entry) {
    String text;
    try {
      text = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new CredentialException(
          configFile + ": auths[\"" + entry + "\"].auth is not base64", e);
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new CredentialException(
          configFile + ": auths[\"" + entry + "\"].auth is not user:password", null);
    }
    return new Credential(text.substring(0, colon), text.substring(colon + 1));
  }

  // "https://index.docker.io/v1/" -> "index.docker.io"; "127.0.0.1:5000" -> "127.0.0.1:5000".
  private static String hostOf(String key) {
    String s = key;
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    return s.toLowerCase(Locale.ROOT);
  }
}
