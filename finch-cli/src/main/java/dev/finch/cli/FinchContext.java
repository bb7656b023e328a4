package dev.finch.cli;

import dev.finch.bridge.BinaryLocator;
import dev.finch.bridge.CtrSociEngine;
import dev.finch.bridge.GuestEngine;
import dev.finch.bridge.NerdctlEngine;
import dev.finch.bridge.TranslationContext;
import dev.finch.bridge.WslHostGateway;
import dev.finch.config.FinchConfig;
import dev.finch.config.HostOs;
import dev.finch.config.LoadedConfig;
import dev.finch.vm.LimaBackend;
import dev.finch.vm.NativeGuest;
import dev.finch.vm.QemuBackend;
import dev.finch.vm.VmBackend;
import dev.finch.vm.VmLifecycle;
import dev.finch.vm.WslBackend;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The services one finch invocation uses, built on demand from the environment and the loaded
 * finch.yaml (the composition root of the CLI). Nothing is created until a command asks for it,
 * which keeps {@code finch images} from paying for VM or picocli machinery it does not use.
 *
 * @param env the process environment
 * @param config the loaded finch.yaml
 * @param log stderr diagnostics
 * @param out stdout
 * @param err stderr
 */
public record FinchContext(
    FinchEnvironment env, LoadedConfig config, CliLog log, PrintWriter out, PrintWriter err) {
  /** Where finch's deb/rpm puts nerdctl on Linux, searched after PATH. */
  static final Path LIBEXEC = Path.of("/usr/libexec/finch");

  public FinchConfig finchConfig() {
    return config.config();
  }

  public HostOs os() {
    return env.host().os();
  }

  /** The VM backend for this host; empty on Linux, which needs none unless {@code vmType: qemu}. */
  public Optional<VmBackend> backend() {
    return switch (os()) {
      case MACOS -> Optional.of(new LimaBackend(env.layout(), env.host()));
      case WINDOWS -> Optional.of(new WslBackend(env.layout(), env.host()));
      case LINUX ->
          finchConfig()
              .vmType()
              .filter("qemu"::equals)
              .map(t -> new QemuBackend(env.layout(), env.host(), env.runner(), log));
    };
  }

  /** The VM state machine; empty on Linux. */
  public Optional<VmLifecycle> lifecycle() {
    return backend().map(b -> new VmLifecycle(b, env.runner(), finchConfig(), log));
  }

  /** Finds host programs for native Linux: PATH, then finch's own bin dir, then libexec. */
  public BinaryLocator binaries() {
    return new BinaryLocator(env.host().env(), List.of(env.layout().bin(), LIBEXEC));
  }

  /** nerdctl in the VM, a local nerdctl, or ctr + soci when the Linux host has no nerdctl. */
  public GuestEngine engine() {
    boolean soci = finchConfig().sociEnabled();
    Optional<VmBackend> vm = backend();
    if (vm.isPresent()) {
      if (vm.get() instanceof QemuBackend q && !q.guestHasNerdctl()) {
        // a guest built from Debian packages has containerd but no nerdctl
        return new CtrSociEngine(env.runner(), q, binaries(), env.cwd(), log);
      }
      return new NerdctlEngine(
          vm.get(), env.runner(), env.cwd(), "nerdctl", "soci", Map.of(), soci, log);
    }
    BinaryLocator bins = binaries();
    Optional<Path> nerdctl = bins.find("nerdctl");
    if (nerdctl.isPresent()) {
      String sociPath = bins.find("soci").map(Path::toString).orElse("soci");
      return new NerdctlEngine(
          new NativeGuest(),
          env.runner(),
          env.cwd(),
          nerdctl.get().toString(),
          sociPath,
          Map.of("CONTAINERD_NAMESPACE", "finch"),
          soci,
          log);
    }
    return new CtrSociEngine(env.runner(), new NativeGuest(), bins, env.cwd(), log);
  }

  /** Inputs of the argv translation; env files are read relative to the working directory. */
  public TranslationContext translationContext() {
    return new TranslationContext(
        os(),
        env.host().env(),
        env.cwd().toString(),
        finchConfig(),
        path -> Files.readAllLines(env.cwd().resolve(path)),
        new WslHostGateway(env.runner()));
  }
}
