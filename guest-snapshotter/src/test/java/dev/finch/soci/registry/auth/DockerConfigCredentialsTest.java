package dev.finch.soci.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finch.process.CommandResult;
import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
  @TempDir Path dir;

  /** Records every command and answers from a table keyed by program and stdin. */
  static final class FakeRunner implements CommandRunner {
    final List<CommandSpec> seen = new ArrayList<>();
    final Map<String, CommandResult> answers;

    FakeRunner(Map<String, CommandResult> answers) {
      this.answers = answers;
    }

    @Override
    public CommandResult run(CommandSpec spec) {
      seen.add(spec);
      String stdin = spec.stdin() instanceof CommandSpec.Stdin.Text t ? t.text() : "";
      return answers.getOrDefault(
          spec.argv().getFirst() + " " + stdin,
          new CommandResult(1, "credentials not found in native keychain", ""));
    }
  }

  private DockerConfigCredentials config(String json, CommandRunner runner) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    return new DockerConfigCredentials(file, runner);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes());
  }

  @Test
  void readsAuthsInAllThreeForms() throws Exception {
    FakeRunner runner = new FakeRunner(Map.of());
    DockerConfigCredentials c =
        config(
            """
        {"auths":{
          "https://index.docker.io/v1/":{"auth":"%s"},
          "127.0.0.1:5000":{"username":"u","password":"p:with:colons"},
          "https://ghcr.io":{"identitytoken":"refresh-me"}}}"""
                .formatted(b64("hub:pw")),
            runner);
    assertThat(c.retrieve("docker.io")).hasValue(new Credential("hub", "pw"));
    assertThat(c.retrieve("127.0.0.1:5000")).hasValue(new Credential("u", "p:with:colons"));
    Optional<Credential> ghcr = c.retrieve("ghcr.io");
    assertThat(ghcr)
        .hasValueSatisfying(
            k -> {
              assertThat(k.isIdentityToken()).isTrue();
              assertThat(k.secret()).isEqualTo("refresh-me");
            });
    assertThat(c.retrieve("quay.io")).isEmpty();
    assertThat(runner.seen).isEmpty();
  }

  @Test
  void credHelperForTheHostWinsAndGetsTheServerUrlOnStdin() throws Exception {
    FakeRunner runner =
        new FakeRunner(
            Map.of(
                "docker-credential-pass 127.0.0.1:5000",
                new CommandResult(
                    0,
                    "{\"ServerURL\":\"127.0.0.1:5000\",\"Username\":\"h\",\"Secret\":\"s\"}",
                    "")));
    DockerConfigCredentials c =
        config(
            """
        {"auths":{"127.0.0.1:5000":{"username":"ignored","password":"x"}},
         "credHelpers":{"127.0.0.1:5000":"pass"}}""",
            runner);
    assertThat(c.retrieve("127.0.0.1:5000")).hasValue(new Credential("h", "s"));
    assertThat(runner.seen)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.argv()).containsExactly("docker-credential-pass", "get");
              assertThat(s.stdin()).isEqualTo(new CommandSpec.Stdin.Text("127.0.0.1:5000"));
            });
  }

  @Test
  void credsStoreUsesDockerHubKeyAndFallsBackToAuthsWhenNotFound() throws Exception {
    FakeRunner runner =
        new FakeRunner(
            Map.of(
                "docker-credential-desktop https://index.docker.io/v1/",
                new CommandResult(0, "{\"Username\":\"<token>\",\"Secret\":\"idt\"}", "")));
    DockerConfigCredentials c =
        config(
            """
        {"credsStore":"desktop","auths":{"example.com":{"auth":"%s"}}}"""
                .formatted(b64("e:x")),
            runner);
    assertThat(c.retrieve("docker.io"))
        .hasValueSatisfying(k -> assertThat(k.isIdentityToken()).isTrue());
    assertThat(c.retrieve("example.com")).hasValue(new Credential("e", "x"));
    assertThat(runner.seen)
        .extracting(CommandSpec::stdin)
        .containsExactly(
            new CommandSpec.Stdin.Text("https://index.docker.io/v1/"),
            new CommandSpec.Stdin.Text("example.com"));
    // a helper may wait for a keychain, but not forever
    assertThat(runner.seen)
        .extracting(CommandSpec::timeout)
        .containsOnly(java.util.Optional.of(java.time.Duration.ofSeconds(60)));
  }

  @Test
  void failingHelperNamesArgvExitAndOutput() throws Exception {
    FakeRunner runner =
        new FakeRunner(
            Map.of(
                "docker-credential-broken r.example", new CommandResult(3, "", "keychain locked")));
    DockerConfigCredentials c = config("{\"credHelpers\":{\"r.example\":\"broken\"}}", runner);
    assertThatThrownBy(() -> c.retrieve("r.example"))
        .isInstanceOf(CredentialException.class)
        .hasMessage(
            "credential helper docker-credential-broken get r.example: exit status 3: keychain locked");
  }

  @Test
  void missingFileMeansNoCredentialsAndDockerConfigEnvIsRespected() {
    assertThat(
            new DockerConfigCredentials(dir.resolve("nope.json"), new FakeRunner(Map.of()))
                .retrieve("x"))
        .isEmpty();
    assertThat(
            DockerConfigCredentials.defaultConfigFile(
                Map.of("DOCKER_CONFIG", "/etc/dc"), Path.of("/home/u")))
        .isEqualTo(Path.of("/etc/dc/config.json"));
    assertThat(DockerConfigCredentials.defaultConfigFile(Map.of(), Path.of("/home/u")))
        .isEqualTo(Path.of("/home/u/.docker/config.json"));
  }

  @Test
  void chainAsksInOrderUntilOneAnswers() {
    CredentialRetriever chain =
        CredentialRetriever.chain(
            List.of(
                CredentialRetriever.anonymous(),
                CredentialRetriever.explicit("flag-user"),
                h -> Optional.of(new Credential("late", "x"))));
    assertThat(chain.retrieve("any")).hasValue(new Credential("flag-user", ""));
    assertThat(new Credential("a", "b").toString()).doesNotContain("b]");
  }

  @Test
  void unreadableConfigIsOneLine() throws Exception {
    Path f = dir.resolve("config.json");
    Files.write(f, new byte[] {'{', '"', 'a', 0, (byte) 0xff});
    // was: Jackson's message with its location on a second line
    assertThatThrownBy(() -> new DockerConfigCredentials(f, new FakeRunner(Map.of())).retrieve("x"))
        .isInstanceOf(CredentialException.class)
        .hasMessageStartingWith("reading " + f + ": ")
        .message()
        .doesNotContain("\n");
  }

  @Test
  void aConfigThatIsJsonNullHasNoCredentials() throws Exception {
    Path f = dir.resolve("config.json");
    Files.writeString(f, "null");
    // was: NullPointerException
    assertThat(new DockerConfigCredentials(f, new FakeRunner(Map.of())).retrieve("x")).isEmpty();
  }
}
