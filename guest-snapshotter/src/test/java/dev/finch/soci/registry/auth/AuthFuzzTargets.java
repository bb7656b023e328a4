package dev.finch.soci.registry.auth;

import static dev.finch.testkit.fuzz.FuzzInputs.read;
import static dev.finch.testkit.fuzz.FuzzInputs.use;

import dev.finch.process.CommandResult;
import dev.finch.testkit.fuzz.FuzzTarget;
import dev.finch.testkit.fuzz.RandomText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Fuzz targets for authentication input: {@code WWW-Authenticate} challenges (and the token realm
 * taken from them), token server answers, and docker's {@code config.json} with the credential
 * helper output it leads to.
 */
public final class AuthFuzzTargets {
  private static final Path JSON = Path.of("src/test/resources/json");

  private AuthFuzzTargets() {}

  /** The targets; {@code scratch} is a directory for the docker config file. */
  public static List<FuzzTarget> all(Path scratch) {
    return List.of(authChallenge(), token(), dockerConfig(scratch));
  }

  static FuzzTarget authChallenge() {
    return FuzzTarget.builder(
            "auth-challenge",
            in -> {
              String text = new String(in, StandardCharsets.UTF_8);
              for (AuthChallenge c : AuthChallenge.parseAll(List.of(text.split("\n", -1)))) {
                // what Authorizer reads of the challenge it answers
                if (c.isBearer() && c.param("realm") != null) {
                  Authorizer.realmOf(c);
                }
                use(c.param("service"), c.param("scope"), c.isBasic());
              }
            })
        .seed(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/alpine:pull\"")
        .seed("Basic realm=\"registry\"\nBearer realm=http://127.0.0.1:5001/token,service=r")
        .typed(AuthException.class)
        .dictionary(
            "Bearer ", "Basic ", "realm=", "service=", "scope=", "\"", ",", "\\", "=", "://", "%")
        .maxInputSize(8 << 10)
        .build();
  }

  static FuzzTarget token() {
    return FuzzTarget.builder(
            "token",
            in -> {
              Authorizer.CachedToken t = Authorizer.tokenFrom("auth.example", in);
              if (t.token() == null || t.expires() == null) {
                throw new AssertionError("token without value or expiry: " + t);
              }
            })
        .seed(read(JSON.resolve("token-response.json")))
        .seed(read(JSON.resolve("token-response-oauth.json")))
        .typed(AuthException.class)
        .generator(
            r ->
                RandomText.jsonObject(
                        r,
                        List.of(
                            "token", "access_token", "expires_in", "refresh_token", "issued_at"),
                        List.of("t"),
                        2)
                    .getBytes(StandardCharsets.UTF_8))
        .maxInputSize(16 << 10)
        .build();
  }

  /**
   * Docker's config.json, read for three hosts (one with a helper, whose answer is a fixed valid
   * credential, so that the config's own fields are what varies).
   */
  static FuzzTarget dockerConfig(Path scratch) {
    Path file = scratch.resolve("config.json");
    DockerConfigCredentials creds =
        new DockerConfigCredentials(
            file,
            spec ->
                new CommandResult(
                    0, "{\"ServerURL\":\"x\",\"Username\":\"u\",\"Secret\":\"s\"}", ""));
    return FuzzTarget.builder(
            "docker-config",
            in -> {
              try {
                Files.write(file, in);
              } catch (IOException e) {
                throw new UncheckedIOException(e); // the harness's own failure: a finding
              }
              for (String host : List.of("127.0.0.1:5000", "docker.io", "ghcr.io")) {
                Optional<Credential> c = creds.retrieve(host);
                c.ifPresent(x -> use(x.basicHeader(), x.isIdentityToken()));
              }
            })
        .seed(read(JSON.resolve("docker-config.json")))
        .seed("{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"dTpw\"}}}")
        .typed(CredentialException.class)
        .generator(
            r ->
                RandomText.jsonObject(
                        r,
                        List.of(
                            "auths",
                            "credHelpers",
                            "credsStore",
                            "auth",
                            "username",
                            "password",
                            "identitytoken",
                            "127.0.0.1:5000",
                            "https://index.docker.io/v1/",
                            "ghcr.io"),
                        List.of("dTpw", "desktop", "ecr-login", "=", "Og=="),
                        4)
                    .getBytes(StandardCharsets.UTF_8))
        .dictionary("\"auths\"", "\"auth\"", "\"credHelpers\"", "\"credsStore\"", "null", "{}")
        .maxInputSize(16 << 10)
        .build();
  }
}
