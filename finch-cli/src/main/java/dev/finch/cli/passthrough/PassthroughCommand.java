package dev.finch.cli.passthrough;

import dev.finch.bridge.ArgTranslator;
import dev.finch.bridge.PassthroughCommands;
import dev.finch.bridge.Translation;
import dev.finch.cli.FinchContext;
import dev.finch.cli.FinchException;
import dev.finch.vm.VmLifecycle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UnmatchedArgsBinding;

/**
 * A nerdctl command finch passes to the guest ({@code finch images}, {@code finch run ...}). Its
 * arguments are never parsed by picocli (unmatched args, stop at the first one); they go through
 * the bridge's translation to the guest engine, and the guest's exit status is finch's.
 */
public final class PassthroughCommand implements Callable<Integer> {
  private final FinchContext ctx;
  private final String name;
  private final List<String> args = new ArrayList<>();

  public PassthroughCommand(FinchContext ctx, String name) {
    this.ctx = ctx;
    this.name = name;
  }

  /** Adds every pass-through command of this host to {@code root}, for help and completion. */
  public static void register(CommandLine root, FinchContext ctx) {
    for (String n : names(ctx)) {
      PassthroughCommand cmd = new PassthroughCommand(ctx, n);
      CommandSpec spec = CommandSpec.wrapWithoutInspection(cmd);
      spec.name(n);
      spec.usageMessage()
          .description("Run `nerdctl " + n + "` in the guest (see `finch " + n + " --help`).");
      spec.addUnmatchedArgsBinding(
          UnmatchedArgsBinding.forStringArrayConsumer(
              new CommandLine.Model.ISetter() {
                @Override
                public <T> T set(T value) {
                  if (value instanceof String[] a) {
                    cmd.args.addAll(List.of(a));
                  }
                  return null;
                }
              }));
      CommandLine sub = new CommandLine(spec);
      sub.setStopAtUnmatched(true);
      sub.setUnmatchedOptionsArePositionalParams(true);
      root.addSubcommand(n, sub);
    }
  }

  private static List<String> names(FinchContext ctx) {
    List<String> all = new ArrayList<>(PassthroughCommands.NAMES);
    for (String extra : List.of("login", "logout", "buildx")) {
      if (PassthroughCommands.isPassthrough(extra, ctx.os(), ctx.finchConfig().dockercompat())) {
        all.add(extra);
      }
    }
    return all;
  }

  @Override
  public Integer call() throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(name);
    argv.addAll(args);
    return run(ctx, argv);
  }

  /**
   * Runs a pass-through command: starts the VM if needed (auto_vm_start), translates, executes.
   *
   * @param finchArgs finch's arguments without a leading {@code --debug}
   * @return 0; a failing guest command throws {@link FinchException.GuestExit} with its status
   */
  public static int run(FinchContext ctx, List<String> finchArgs) throws Exception {
    Optional<VmLifecycle> vm = ctx.lifecycle();
    if (vm.isPresent()) {
      vm.get().ensureRunning();
    }
    Translation t = new ArgTranslator(ctx.translationContext()).translate(finchArgs);
    ctx.log().debug("guest command: " + String.join(" ", t.call().argv()));
    int rc = ctx.engine().execute(t, ctx.out(), ctx.err());
    if (rc != 0) {
      throw new FinchException.GuestExit(rc);
    }
    return 0;
  }
}
