package dev.finch.bridge;

import dev.finch.process.CommandFailedException;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;
import dev.finch.process.Log;
import dev.finch.vm.GuestShell;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * nerdctl in the guest: {@code limactl shell finch sudo -E nerdctl ...} on macOS, {@code wsl.exe
 * ... nerdctl ...} on Windows, a local nerdctl on Linux. The user's terminal is attached so
 * nerdctl's own progress bars show on pull and push.
 *
 * @param shell how guest commands reach the guest
 * @param runner the process seam
 * @param hostCwd the user's working directory
 * @param nerdctl nerdctl's path in the guest
 * @param soci our soci's path in the guest
 * @param nativeEnv variables for a local nerdctl (its namespace); unused in a VM
 * @param sociListed whether finch.yaml lists soci (then its version is reported)
 * @param log where warnings go
 */
public record NerdctlEngine(
    GuestShell shell,
    CommandRunner runner,
    Path hostCwd,
    String nerdctl,
    String soci,
    Map<String, String> nativeEnv,
    boolean sociListed,
    Log log)
    implements GuestEngine {

  private Map<String, String> env(NerdctlCall call) {
    return shell.isVm() ? call.env() : nativeEnv;
  }

  @Override
  public int execute(Translation translation, PrintWriter out, PrintWriter err)
      throws BridgeException {
    NerdctlCall call = translation.call();
    call.warnings().forEach(log::warn);
    CommandSpec spec = shell.command(call.argv(nerdctl), env(call), hostCwd);
    return switch (translation) {
      case Translation.Plain p when p.help() -> help(spec, out, err);
      case Translation.Plain p -> run(spec);
      case Translation.SociPush p ->
          SociSteps.run(
              p,
              soci,
              List.of(),
              p.ref(),
              argv -> shell.command(argv, env(call), hostCwd),
              () -> run(spec),
              runner,
              out,
              err);
    };
  }

  private int run(CommandSpec spec) throws BridgeException {
    try {
      return runner.run(spec).exit();
    } catch (CommandFailedException e) {
      throw new BridgeException(e.getMessage(), e);
    }
  }

  private int help(CommandSpec spec, PrintWriter out, PrintWriter err) throws BridgeException {
    CommandResult r;
    try {
      r = runner.run(spec.withStdin(new CommandSpec.Stdin.Closed()).withIo(CommandSpec.Io.CAPTURE));
    } catch (CommandFailedException e) {
      throw new BridgeException(e.getMessage(), e);
    }
    out.print(HelpText.rewrite(r.out()));
    err.print(HelpText.rewrite(r.err()));
    out.flush();
    err.flush();
    return r.exit();
  }

  @Override
  public GuestVersions versions() throws BridgeException {
    CommandResult r = capture(List.of(nerdctl, "version", "--format", "json"));
    if (!r.ok()) {
      throw new BridgeException(
          "cannot get the guest's versions: nerdctl version exited with status "
              + r.exit()
              + (r.err().isBlank() ? "" : ": " + r.err().strip().replace('\n', ' ')));
    }
    GuestVersions v = parseNerdctlVersion(r.out());
    if (!sociListed) {
      return v;
    }
    List<Component> server = new ArrayList<>(v.server());
    try {
      server.add(sociVersion(capture(List.of(soci, "--version"))));
    } catch (BridgeException e) {
      log.debug("soci --version: " + e.getMessage());
      server.add(new Component("soci-snapshotter", "not installed", ""));
    }
    return new GuestVersions(v.nerdctl(), v.clientComponents(), server);
  }

  private CommandResult capture(List<String> guestArgv) throws BridgeException {
    CommandSpec spec =
        shell
            .command(guestArgv, shell.isVm() ? Map.of() : nativeEnv, hostCwd)
            .withStdin(new CommandSpec.Stdin.Closed())
            .withIo(CommandSpec.Io.CAPTURE);
    try {
      return runner.run(spec);
    } catch (CommandFailedException e) {
      throw new BridgeException(e.getMessage(), e);
    }
  }

  /** Our soci's {@code --version} line ({@code soci version v0.1.0 ...}) as a component. */
  static Component sociVersion(CommandResult r) {
    String version = "unknown";
    if (r.ok()) {
      for (String word : r.out().strip().split("\\s+")) {
        if (word.matches("v?\\d+\\.\\d+.*")) {
          version = word;
          break;
        }
      }
    }
    return new Component("soci-snapshotter", version, "");
  }

  /** Reads {@code nerdctl version --format json}. */
  @SuppressWarnings("unchecked")
  static GuestVersions parseNerdctlVersion(String json) throws BridgeException {
    Object parsed;
    try {
      parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(json);
    } catch (RuntimeException e) {
      throw new BridgeException("cannot read nerdctl version output: " + e.getMessage(), e);
    }
    if (!(parsed instanceof Map<?, ?> raw)) {
      throw new BridgeException("cannot read nerdctl version output: not a JSON object");
    }
    Map<String, Object> root = (Map<String, Object>) raw;
    Map<String, Object> client =
        root.get("Client") instanceof Map<?, ?> c ? (Map<String, Object>) c : Map.of();
    Map<String, Object> server =
        root.get("Server") instanceof Map<?, ?> sv ? (Map<String, Object>) sv : Map.of();
    Optional<Component> nerdctl =
        Optional.of(
            new Component(
                "nerdctl",
                String.valueOf(client.getOrDefault("Version", "")),
                String.valueOf(client.getOrDefault("GitCommit", ""))));
    return new GuestVersions(
        nerdctl, components(client.get("Components")), components(server.get("Components")));
  }

  @SuppressWarnings("unchecked")
  private static List<Component> components(Object list) {
    List<Component> out = new ArrayList<>();
    if (list instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> m) {
          Object details = m.get("Details");
          String commit =
              details instanceof Map<?, ?> d && d.get("GitCommit") != null
                  ? String.valueOf(d.get("GitCommit"))
                  : "";
          out.add(
              new Component(
                  String.valueOf(m.get("Name")), String.valueOf(m.get("Version")), commit));
        }
      }
    }
    return out;
  }
}
