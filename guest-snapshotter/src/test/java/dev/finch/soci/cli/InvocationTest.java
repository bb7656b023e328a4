package dev.finch.soci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.cli.main.SociCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Command lines run for another process (a handed-off rpull): its environment and directory, not
 * this JVM's.
 */
class InvocationTest {
  @Test
  void envDefaultsReadTheInvocationsEnvironment() {
    Invocation inv =
        new Invocation(Map.of("CONTAINERD_ADDRESS", "/c/d.sock", "EMPTY", ""), Path.of("/"), true);
    assertThat(inv.envDefault("${env:CONTAINERD_ADDRESS:-/run/containerd/containerd.sock}"))
        .isEqualTo("/c/d.sock");
    assertThat(inv.envDefault("${env:CONTAINERD_NAMESPACE:-default}")).isEqualTo("default");
    assertThat(inv.envDefault("${env:EMPTY:-x}")).isEqualTo("x");
    assertThat(inv.envDefault("a-${env:CONTAINERD_ADDRESS}-b")).isEqualTo("a-/c/d.sock-b");
    assertThat(inv.envDefault("${env:NOPE}")).isEmpty();
    assertThat(inv.envDefault("plain")).isNull();
    assertThat(inv.envDefault(null)).isNull();
  }

  @Test
  void globalOptionsComeFromTheInvocation() {
    Invocation inv =
        new Invocation(
            Map.of(
                "CONTAINERD_ADDRESS",
                "rel/containerd.sock",
                "CONTAINERD_NAMESPACE",
                "ns9",
                "SOCI_ROOT",
                "soci-root"),
            Path.of("/client/wd"),
            true);
    AtomicReference<GlobalOptions> seen = new AtomicReference<>();
    StringWriter out = new StringWriter();
    Integer rc =
        SociCli.runIf(
            new PrintWriter(out),
            new PrintWriter(out),
            inv,
            pr -> {
              seen.set(GlobalOptions.of(pr.commandSpec()));
              return "only parsing";
            },
            "image",
            "rpull",
            "registry.example/app:1");
    assertThat(rc).isNull();
    assertThat(out.toString()).isEmpty();
    GlobalOptions g = seen.get();
    assertThat(g.address()).isEqualTo("/client/wd/rel/containerd.sock");
    assertThat(g.namespace()).isEqualTo("ns9");
    assertThat(g.root()).isEqualTo(Path.of("/client/wd/soci-root"));
  }

  @Test
  void onlyAWellFormedImageRpullIsHandedOff() {
    Invocation inv = new Invocation(Map.of(), Path.of("/"), true);
    assertThat(refusal(inv, "image", "rpull", "--plain-http", "r.example/a:1")).isNull();
    assertThat(refusal(inv, "--namespace", "x", "image", "rpull", "r.example/a:1")).isNull();
    assertThat(refusal(inv, "index", "list")).isEqualTo("not an image rpull");
    assertThat(refusal(inv, "image", "rpull", "--help")).isEqualTo("help requested");
    assertThat(refusal(inv, "--version")).isEqualTo("help requested");
    // a usage error is not run (runIf answers null): the client runs it itself and prints the usage
    StringWriter out = new StringWriter();
    assertThat(
            SociCli.runIf(
                new PrintWriter(out),
                new PrintWriter(out),
                inv,
                SociCli::handoffRefusal,
                "image",
                "rpull",
                "--no-such-flag",
                "r.example/a:1"))
        .isNull();
    assertThat(out.toString()).isEmpty();
  }

  private static String refusal(Invocation inv, String... args) {
    AtomicReference<String> why = new AtomicReference<>("not parsed");
    SociCli.runIf(
        new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter()),
        inv,
        pr -> {
          why.set(SociCli.handoffRefusal(pr));
          return "only parsing";
        },
        args);
    return why.get();
  }
}
