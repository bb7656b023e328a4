package dev.finch.soci.daemon;

import dev.finch.soci.spi.RemotePreparerFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code soci-snapshotter-grpc}: the containerd proxy snapshotter daemon. Without a subcommand it
 * loads the config, starts {@link Wiring} and serves until SIGINT or SIGTERM, then stops gracefully
 * (remote layers unmounted, metadata closed). {@code config dump} prints the effective
 * configuration, {@code config default} the built-in one.
 *
 * <p>The lazy-loading implementation is found with {@link ServiceLoader}: the first {@link
 * RemotePreparerFactory} provider on the class path is used, otherwise {@link
 * RemotePreparerFactory#none()} (plain overlayfs, containerd pulls every layer).
 */
@Command(
    name = "soci-snapshotter-grpc",
    description = "containerd proxy snapshotter that lazily loads SOCI-indexed images",
    mixinStandardHelpOptions = true,
    subcommands = DaemonMain.ConfigCommand.class)
public final class DaemonMain implements Callable<Integer> {
  @Mixin DaemonOptions options;
  @Spec CommandSpec spec;

  /** Process entry point. */
  public static void main(String[] args) {
    // The daemon's gRPC traffic is a few small messages per snapshot call: netty's pooled arenas
    // (a 4 MiB chunk per arena touched) would cost ~9 MB of RSS for nothing.
    if (System.getProperty("io.netty.allocator.type") == null) {
      System.setProperty("io.netty.allocator.type", "unpooled");
    }
    System.exit(
        run(
            new PrintWriter(System.out, true, StandardCharsets.UTF_8),
            new PrintWriter(System.err, true, StandardCharsets.UTF_8),
            args));
  }

  /** Runs the command line; returns the exit code. Errors are one line on {@code err}. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new DaemonMain());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (ex, c, parse) -> {
          c.getErr().println("soci-snapshotter-grpc: " + describe(ex));
          c.getErr().flush();
          return 1;
        });
    return cl.execute(args);
  }

  private static String describe(Throwable t) {
    if (t instanceof NoSuchFileException e) {
      return e.getFile() + ": " + (e.getReason() == null ? "no such file" : e.getReason());
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  static DaemonConfig loadConfig(DaemonOptions options, JsonLog log)
      throws IOException, DaemonConfigException {
    DaemonOptions.ConfigFile cf = options.configFile();
    return DaemonConfigLoader.load(cf.path(), cf.explicit(), w -> log.warn(w, null));
  }

  /** The lazy-loading implementation on the class path, or plain overlayfs. */
  public static RemotePreparerFactory factory() {
    return ServiceLoader.load(RemotePreparerFactory.class)
        .findFirst()
        .orElse(RemotePreparerFactory.none());
  }

  /** Every {@link DaemonExtension} provider on the class path (the rpull handoff). */
  public static java.util.List<DaemonExtension> extensions() {
    return ServiceLoader.load(DaemonExtension.class).stream()
        .map(ServiceLoader.Provider::get)
        .toList();
  }

  @Override
  public Integer call() throws Exception {
    LogLevel level = options.level();
    java.nio.file.Path socket = options.socket();
    JsonLog log = new JsonLog(System.err, level);
    DaemonConfig config = loadConfig(options, log);
    log.install();
    CountDownLatch stop = new CountDownLatch(1);
    for (String sig : new String[] {"INT", "TERM"}) {
      Signal.handle(
          new Signal(sig),
          s -> {
            log.info("received SIG" + s.getName() + ", shutting down");
            stop.countDown();
          });
    }
    Wiring w =
        Wiring.start(
            new Wiring.Settings(
                options.root,
                socket,
                config,
                factory(),
                log,
                System.getenv("NOTIFY_SOCKET"),
                extensions()));
    try {
      stop.await();
    } finally {
      w.close();
    }
    return 0;
  }

  /** {@code config dump|default}. */
  @Command(
      name = "config",
      description = "print configuration",
      mixinStandardHelpOptions = true,
      subcommands = {ConfigDump.class, ConfigDefault.class})
  static final class ConfigCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  /** Prints the configuration the daemon would run with. */
  @Command(
      name = "dump",
      description = "print the effective configuration as TOML",
      mixinStandardHelpOptions = true)
  static final class ConfigDump implements Callable<Integer> {
    @Mixin DaemonOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JsonLog log = new JsonLog(System.err, LogLevel.WARN);
      DaemonOptions effective = options;
      if (options.config == null && spec.root().userObject() instanceof DaemonMain root) {
        effective = root.options;
      }
      spec.commandLine().getOut().print(DaemonConfigWriter.render(loadConfig(effective, log)));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /** Prints the built-in defaults. */
  @Command(
      name = "default",
      description = "print the default configuration as TOML",
      mixinStandardHelpOptions = true)
  static final class ConfigDefault implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(DaemonConfigWriter.render(DaemonConfig.defaults()));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
